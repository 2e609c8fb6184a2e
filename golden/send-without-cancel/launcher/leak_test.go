package launcher

import (
	"context"
	"runtime"
	"testing"
)

// The consumer takes one value and cancels: the producer must not stay blocked.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		<-Gen(ctx, 1, 2, 3)
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
