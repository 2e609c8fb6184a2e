package ownstop

import (
	"context"
	"runtime"
	"testing"
)

// The reader takes one value and leaves; once ctx ends every pump must be gone.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		in := make(chan int, 2)
		in <- 1
		in <- 2
		out := make(chan int)
		Pump(ctx, in, out)
		<-out
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
