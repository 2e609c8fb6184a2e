package named

import (
	"context"
	"runtime"
	"testing"
)

// Nobody receives: once the signals fire every producer must be gone.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		s := &Server{ctx: ctx, events: make(chan string)}
		s.Start([]string{"a", "b"})
		stop := make(chan struct{})
		Produce(stop, make(chan int), 3)
		Serve(func(h func(context.Context, string) <-chan string) { h(ctx, "r") })
		cancel()
		close(stop)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
