package drained

import (
	"context"
	"runtime"
	"testing"
)

// Search takes one reply of three, then is cancelled: the other two queries must go.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		s := NewSearch(ctx, func(n int) int { return n })
		s.Advance(3)
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
