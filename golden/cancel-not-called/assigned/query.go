package query

import (
	"context"
	"time"
)

// Query runs q under a deadline when one is given, and cancels it only when q fails.
func Query(parent context.Context, d time.Duration, q func(context.Context) error) error {
	ctx := parent
	var cancel context.CancelFunc
	if d > 0 {
		ctx, cancel = context.WithTimeout(parent, d) // want "cancel from context.WithTimeout is not called on every path"
	}
	err := q(ctx)
	if err != nil && cancel != nil {
		cancel()
	}
	return err
}

// Either picks its context in two branches; a defer after both releases either one.
func Either(parent context.Context, d time.Duration, q func(context.Context) error) error {
	var ctx context.Context
	var cancel context.CancelFunc
	if d > 0 {
		ctx, cancel = context.WithTimeout(parent, d)
	} else {
		ctx, cancel = context.WithCancel(parent)
	}
	defer cancel()
	return q(ctx)
}
