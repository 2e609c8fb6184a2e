// Package below sends one call below its goroutine: the goroutine's literal calls produce,
// which does the bare send.
package below

import "context"

// Gen returns a channel fed by produce on a goroutine.
func Gen(ctx context.Context, vals ...int) <-chan int {
	out := make(chan int)
	go func() {
		produce(ctx, vals, out)
		close(out)
	}()
	return out
}

// produce runs as a step of Gen's goroutine: a return here would only return to it (which
// then closes out), so the send is reported without a fix.
func produce(ctx context.Context, vals []int, out chan<- int) {
	for _, v := range vals {
		out <- v // want "send on out blocks forever once its receiver is gone"
	}
}
