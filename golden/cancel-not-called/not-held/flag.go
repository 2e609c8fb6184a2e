package notheld

import (
	"context"
	"time"
)

// applyDefaultTimeout gives ctx a timeout unless it has a deadline already; only then is
// there a cancel func, and the flag says so (dubbo-go's triple client).
func applyDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, bool, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || d <= 0 {
		return ctx, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, true, cancel
}

// CallUnary defers the cancel only when there is one: an unconditional defer would call nil.
func CallUnary(ctx context.Context, call func(context.Context) error) error {
	ctx, flag, cancel := applyDefaultTimeout(ctx, time.Second)
	if flag {
		defer cancel()
	}
	return call(ctx)
}

// CallTraced guards the defer with the flag and a second condition: the flag still says when
// there is a cancel func, and a defer outside the guard would call nil.
func CallTraced(ctx context.Context, traced bool, call func(context.Context) error) error {
	ctx, flag, cancel := applyDefaultTimeout(ctx, time.Second)
	if flag && traced {
		defer cancel()
	}
	return call(ctx)
}
