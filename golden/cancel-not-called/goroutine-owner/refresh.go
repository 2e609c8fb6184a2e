package refresh

import (
	"context"
	"sync"
	"time"
)

// Cache refreshes one key within a context.
type Cache interface {
	Refresh(ctx context.Context, key string)
}

// Refresh refreshes keys in the background under one deadline; wg is done when it finishes.
func Refresh(parent context.Context, c Cache, keys []string, wg *sync.WaitGroup) {
	ctx, _ := context.WithTimeout(parent, time.Minute) // want "the cancel func of context.WithTimeout is discarded"
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, k := range keys {
			c.Refresh(ctx, k)
		}
	}()
}
