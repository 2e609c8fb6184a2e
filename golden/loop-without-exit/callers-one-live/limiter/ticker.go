package limiter

import (
	"context"
	"sync"
	"time"
)

type bucket struct {
	mu     sync.Mutex
	tokens int
}

func (b *bucket) startTicker(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	go func() {
		for range t.C { // want "ranging over t.C never ends .* never watches ctx"
			b.mu.Lock()
			b.tokens = 100
			b.mu.Unlock()
		}
	}()
}
