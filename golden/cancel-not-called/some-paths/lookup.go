package lookup

import (
	"context"
	"time"
)

// Store answers lookups within a context.
type Store interface {
	Get(ctx context.Context, key string) (string, error)
}

// Lookup asks the store under a deadline; it cancels only when the store fails.
func Lookup(parent context.Context, s Store, key string) (string, error) {
	ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is not called on every path"
	v, err := s.Get(ctx, key)
	if err != nil {
		cancel()
		return "", err
	}
	return v, nil
}
