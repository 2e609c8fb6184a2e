package legacy

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// parentCtx is a parent of a custom type (its own Done channel): the context package cannot
// register a child with it and starts a goroutine per child that waits until cancel.
type parentCtx struct {
	context.Context
	done chan struct{}
}

func (p parentCtx) Done() <-chan struct{} { return p.done }

func settle(base int) int { // poll until back to base or 2 s pass
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

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
