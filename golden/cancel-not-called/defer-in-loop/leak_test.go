package ping

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

func settleWithin(base int, d time.Duration) int { // poll until back to base or d passes
	deadline := time.Now().Add(d)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLeak watches the goroutines while PingAll runs: every deferred cancel keeps one alive
// until PingAll returns.
func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	hosts := make([]string, 5)
	for _, f := range []func(context.Context, []string, func(context.Context, string) error){
		func(p context.Context, h []string, ping func(context.Context, string) error) { PingAll(p, h, ping) },
		func(p context.Context, h []string, ping func(context.Context, string) error) { First(p, h, ping) },
	} {
		first, most := -1, 0
		ping := func(ctx context.Context, h string) error {
			if ctx.Err() != nil {
				t.Errorf("ping got a cancelled context")
			}
			if first < 0 {
				first = runtime.NumGoroutine()
			}
			if n := settleWithin(first, 300*time.Millisecond); n > most {
				most = n
			}
			return fmt.Errorf("%s: down", h)
		}
		f(parent, hosts, ping)
		if most > first {
			t.Fatalf("goroutine leak: %d goroutines alive during the loop, %d at its first pass", most, first)
		}
	}
}
