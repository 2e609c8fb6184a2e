package odd

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Cancelled long before n: the goroutine (and the drain) must end.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		out := make(chan int)
		Odd(ctx, 1<<30, time.Millisecond, out)
		go func() {
			for range out {
			}
		}()
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
