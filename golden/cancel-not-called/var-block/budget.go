package budget

import (
	"context"
	"time"
)

// Grouped declares its context in a var block and cancels it only on success.
func Grouped(parent context.Context, f func(context.Context) error) error {
	var (
		ctx, cancel = context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is not called on every path"
	)
	if err := f(ctx); err != nil {
		return err
	}
	cancel()
	return nil
}
