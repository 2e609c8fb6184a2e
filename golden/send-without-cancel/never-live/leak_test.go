package collector

import (
	"context"
	"runtime"
	"testing"
)

// First leaves after one value and its caller cancels: the generator must not stay blocked.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		if v := First(ctx, 3); v != 0 {
			t.Fatalf("First = %d, want 0", v)
		}
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
