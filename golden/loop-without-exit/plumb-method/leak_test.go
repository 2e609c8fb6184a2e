package pump

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// A pump served under a context must stop when the context is cancelled.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	for i := 0; i < 5; i++ {
		Serve(ctx)
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines after cancel, started with %d", n, base)
	}
}
