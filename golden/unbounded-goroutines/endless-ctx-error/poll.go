// Package poll polls a source and handles what it returns.
package poll

import "context"

// Poll hands everything next returns to handle until next fails.
func Poll(ctx context.Context, next func() (string, error), handle func(context.Context, string)) error {
	// Each item gets a goroutine of its own.
outer:
	for {
		item, err := next()
		if err != nil {
			return err
		}
		if item == "" {
			continue outer
		}
		go handle(ctx, item) // want "goroutine started in an endless loop"
	}
}
