package meaning

import (
	"context"
	"errors"
	"testing"
	"time"
)

func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s hangs", what)
	}
}

func TestNothingIsAbandoned(t *testing.T) {
	within(t, "Fetch", func() {
		if got := Fetch(context.Background(), func(context.Context) int { return 7 }); got != 7 {
			t.Errorf("Fetch = %d, want 7", got)
		}
	})
	// Every time, the error that ended the pump must reach the caller.
	within(t, "Pump", func() {
		for i := 0; i < 30; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error)
			Pump(ctx, func(ctx context.Context) (int, error) {
				<-ctx.Done()
				return 0, ctx.Err()
			}, make(chan int), errc)
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("Pump's error = %v", err)
			}
		}
	})
	// Past the setup deadline, values still come through.
	within(t, "Serve", func() {
		in, out := make(chan int), make(chan int)
		Serve(context.Background(), in, out)
		time.Sleep(20 * time.Millisecond)
		for i := 0; i < 3; i++ {
			in <- i
			if v := <-out; v != i {
				t.Errorf("Serve forwarded %d, want %d", v, i)
			}
		}
		close(in)
	})
	// The stream must end with ctx's error, never as if it had succeeded.
	within(t, "Stream", func() {
		for i := 0; i < 30; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			n := 0
			results := Stream(ctx, func(ctx context.Context) (int, error) {
				n++
				if n > 3 {
					<-ctx.Done()
					return 0, ctx.Err()
				}
				return n, nil
			})
			<-results
			cancel()
			var last Result
			for r := range results {
				last = r
			}
			if !errors.Is(last.Err, context.Canceled) {
				t.Errorf("Stream ended without its error: last %+v", last)
			}
		}
	})
	within(t, "Probe", func() {
		res := Probe(context.Background(), []string{"a", "b", "c"}, func(string) bool { return true })
		for i := 0; i < 3; i++ {
			<-res
		}
	})
}
