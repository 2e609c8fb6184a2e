package waits

import (
	"context"
	"runtime"
	"testing"
)

// Pool's Start gives up at once on a cancelled ctx; once Stop has ended the works, their
// ready reports must go too.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p := NewPool()
		works := []func(context.Context){func(context.Context) {}, func(context.Context) {}, func(context.Context) {}}
		p.Start(ctx, works)
		p.Stop()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
