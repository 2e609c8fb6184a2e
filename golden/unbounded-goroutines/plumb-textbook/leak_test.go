package worker

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func settle(base int) int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

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
