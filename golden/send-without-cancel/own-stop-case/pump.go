package ownstop

import "context"

// Pump forwards in to out until ctx ends; its own case on ctx closes out first, so its
// reader's range ends. A send blocked once the reader stopped reading must do the same.
func Pump(ctx context.Context, in <-chan int, out chan<- int) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				close(out)
				return
			case v := <-in:
				out <- v // want "send on out blocks forever .* ctx could end"
			}
		}
	}()
}

// Coalesce flushes what it holds when shutdown fires and then stops: its own case on the
// signal goes on to the flush, which a bare return at the send would skip.
func Coalesce(in <-chan int, out chan<- int, shutdown <-chan struct{}, flush func(chan<- int)) {
	go func() {
		done := false
		for !done {
			select {
			case v := <-in:
				if v < 0 {
					out <- v // want "send on out blocks forever .* shutdown could end"
					continue
				}
			case <-shutdown:
				done = true
			}
		}
		flush(out)
	}()
}
