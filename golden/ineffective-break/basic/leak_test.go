package watch

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	Watch(ctx, make(chan string), func(string) {})
	cancel()
	p := NewPoller(time.Millisecond, func() {})
	p.Stop()
	in := make(chan int)
	Drain(in, func(int) {})
	close(in)
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
