package open

import (
	"context"
	"errors"
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
	dial := func(ctx context.Context) (string, error) {
		if ctx.Err() != nil {
			return "", errors.New("cancelled too early")
		}
		return "s1", nil
	}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if s, err := Open(parent, dial); err != nil || s.id != "s1" {
			t.Fatalf("Open = %v, %v", s, err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
