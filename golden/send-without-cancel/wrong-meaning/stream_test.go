package meaning

import (
	"context"
	"errors"
	"testing"
)

// Relay (fixed with a select on ctx) still forwards every value while ctx lives, and its
// close still ends the reader's range.
func TestRelayForwardsEverything(t *testing.T) {
	within(t, "Relay", func() {
		in, out := make(chan int), make(chan int)
		Relay(context.Background(), in, out)
		go func() {
			for i := 0; i < 5; i++ {
				in <- i
			}
			close(in)
		}()
		n := 0
		for v := range out {
			if v != n {
				t.Errorf("Relay forwarded %d, want %d", v, n)
			}
			n++
		}
		if n != 5 {
			t.Errorf("Relay forwarded %d values, want 5", n)
		}
	})
}

// Forward's stream ends with the error that ended its input, every time.
func TestForwardKeepsTheEndingError(t *testing.T) {
	within(t, "Forward", func() {
		for i := 0; i < 30; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			in, out := make(chan Response), make(chan Response)
			Forward(ctx, in, out)
			go func() {
				<-ctx.Done()
				in <- Response{Err: ctx.Err()}
				close(in)
			}()
			cancel()
			var last Response
			for r := range out {
				last = r
			}
			if !errors.Is(last.Err, context.Canceled) {
				t.Errorf("Forward's stream ended without its error: last %+v", last)
			}
		}
	})
}

// Work delivers one outcome per job, the cancelled ones included.
func TestWorkDeliversEveryOutcome(t *testing.T) {
	within(t, "Work", func() {
		ctx, cancel := context.WithCancel(context.Background())
		jobs, results := make(chan int, 3), make(chan Outcome)
		for j := 0; j < 3; j++ {
			jobs <- j
		}
		close(jobs)
		cancel()
		Work(ctx, jobs, results, func(ctx context.Context, j int) Outcome { return Outcome{j, ctx.Err()} })
		for j := 0; j < 3; j++ {
			if o := <-results; !errors.Is(o.Err, context.Canceled) {
				t.Errorf("Work's outcome %+v, want the cancellation", o)
			}
		}
	})
}
