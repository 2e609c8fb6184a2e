package wrapper

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	c := &Client{timeout: time.Minute}
	use := func(ctx context.Context) error { return ctx.Err() }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Get(parent, use); err != nil {
			t.Fatal(err)
		}
		if err := c.Put(parent, use); err != nil {
			t.Fatal(err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
