package heal

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	slow := func() string { time.Sleep(30 * time.Millisecond); return "healed" }
	stop := func() error { time.Sleep(30 * time.Millisecond); return nil }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		Heal(ctx, slow, make(chan string, 1))
		if err := Stop(ctx, stop); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want the deadline", err)
		}
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
