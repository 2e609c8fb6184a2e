package fetch

import (
	"context"
	"time"
)

// Fetch waits for a result or for the deadline, whichever comes first.
func Fetch(parent context.Context, results <-chan string) (string, error) {
	ctx, _ := context.WithTimeout(parent, time.Minute) // want "the cancel func of context.WithTimeout is discarded"
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
