package detached

import (
	"context"
	"time"
)

// Detached returns a context with a deadline and drops the means to cancel it early:
// a defer here would cancel it before the caller can use it.
func Detached(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Minute) // want "the cancel func of context.WithTimeout is discarded"
	return ctx
}

// Background starts serve, which may outlive this function: a defer would stop it at once.
func Background(parent context.Context, serve func(context.Context)) {
	ctx, _ := context.WithCancel(parent) // want "the cancel func of context.WithCancel is discarded"
	go serve(ctx)
}

// Workers share one context: no single worker may cancel it for the others.
func Workers(parent context.Context, n int, work func(context.Context)) {
	ctx, cancel := context.WithCancel(parent) // want "cancel from context.WithCancel is not called on every path"
	for i := 0; i < n; i++ {
		go func() {
			work(ctx)
			if i == 0 {
				cancel()
			}
		}()
	}
}

// Narrowed derives into an existing variable: there is no cancel variable to defer.
func Narrowed(parent context.Context, f func(context.Context) error) error {
	ctx := parent
	ctx, _ = context.WithCancel(parent) // want "the cancel func of context.WithCancel is discarded"
	return f(ctx)
}
