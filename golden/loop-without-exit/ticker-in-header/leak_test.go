package header

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Once ctx is cancelled, the beating goroutines must end.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	Beat(ctx, time.Millisecond, func() {})
	time.Sleep(20 * time.Millisecond)
	cancel()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines after cancel, started with %d", n, base)
	}
}
