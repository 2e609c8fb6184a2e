package multi

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Once the app's context is cancelled, the worker and everything it started must end.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{ctx: ctx}
	a.Boot()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines after cancel, started with %d", n, base)
	}
}
