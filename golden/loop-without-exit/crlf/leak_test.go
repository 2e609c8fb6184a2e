package crlf

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		Beat(ctx, tk, func() {})
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
