package legacy

import (
	"context"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	get := func(ctx context.Context) (string, error) { return "ok", ctx.Err() }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if v, err := Fetch(parent, get); v != "ok" || err != nil {
			t.Fatalf("Fetch = %q, %v", v, err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
