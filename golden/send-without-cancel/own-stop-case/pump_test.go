package ownstop

import (
	"context"
	"testing"
	"time"
)

// A reader that ranges over out after cancelling must still see it closed: the pump's own
// case on ctx closes it, and so must the new case where the pump waits on its send (a bare
// return there would leave this range waiting for good).
func TestRangeEndsAfterCancel(t *testing.T) {
	within(t, 5*time.Second, func() {
		ctx, cancel := context.WithCancel(context.Background())
		in := make(chan int, 2)
		in <- 1
		in <- 2
		out := make(chan int)
		Pump(ctx, in, out)
		if v := <-out; v != 1 {
			t.Errorf("first value %d, want 1", v)
		}
		cancel()
		time.Sleep(50 * time.Millisecond) // the pump sees ctx end while it waits on its send
		for range out {
		}
	})
}
