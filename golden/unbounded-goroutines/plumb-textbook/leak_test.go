package worker

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Once the service's context is cancelled, the worker and everything it started must end.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{ctx: ctx}
	s.Start()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines after cancel, started with %d", n, base)
	}
}
