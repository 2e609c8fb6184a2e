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

// Narrow derives each new deadline from the last one: cancelling the old one first would
// cancel the new one too.
func Narrow(parent context.Context, steps int, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is overwritten at line 46 before it is called"
	for i := 0; i < steps; i++ {
		ctx, cancel = context.WithTimeout(ctx, time.Minute) // want "cancel from context.WithTimeout is made again by the loop before it is called"
	}
	defer cancel()
	return f(ctx)
}

// Streams reads every stream after the loop: each one needs its context until then, so
// the defers inside the loop are meant to wait for the function to return (not reported).
func Streams(parent context.Context, hosts []string, open func(context.Context, string) (<-chan string, error)) []string {
	var chans []<-chan string
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Minute)
		defer cancel()
		ch, err := open(ctx, h)
		if err != nil {
			continue
		}
		chans = append(chans, ch)
	}
	var out []string
	for _, ch := range chans {
		out = append(out, <-ch)
	}
	return out
}

// Stats queues each route for its subscribers with a delivery deadline.
type Stats interface {
	Publish(ctx context.Context, msg any)
}

// Route publishes msg; the stats channel keeps ctx with the queued message and drops it
// once ctx is done (xray-core's routing stats): a defer here would drop the message as
// soon as Route returns.
func Route(stats Stats, msg any) {
	ctx, _ := context.WithTimeout(context.Background(), 4*time.Second) // want "the cancel func of context.WithTimeout is discarded"
	stats.Publish(ctx, msg)
}
