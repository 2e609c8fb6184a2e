package drained

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// first leaves after one event and its caller cancels: feed's goroutine must not stay blocked.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	sys := &system{st: &store{poll: time.Millisecond}}
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		if ev := sys.first(ctx); ev.key != "config" {
			t.Fatalf("first = %+v, want a config event", ev)
		}
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
