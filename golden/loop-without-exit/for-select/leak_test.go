package relay

import (
	"context"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		Relay(ctx, make(chan int), func(int) {}, func() {})
		cancel()
		p := &Pump{stop: make(chan struct{}), queue: make(chan string), seen: func(string) {}}
		p.Start()
		close(p.stop)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
