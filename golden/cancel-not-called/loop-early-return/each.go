package each

import (
	"context"
	"time"
)

// Each checks every host under its own deadline, but an error skips the cancel.
func Each(parent context.Context, hosts []string, check func(context.Context, string) error) error {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is not called on every path"
		if err := check(ctx, h); err != nil {
			return err
		}
		cancel()
	}
	return nil
}

// Skip moves on to the next host when one fails, and forgets the cancel there.
func Skip(parent context.Context, hosts []string, check func(context.Context, string) error) (failed int) {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is not called on every path"
		if err := check(ctx, h); err != nil {
			failed++
			continue
		}
		cancel()
	}
	return failed
}
