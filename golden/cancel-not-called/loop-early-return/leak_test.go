package each

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

var errDown = errors.New("host down")

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
	down := func(context.Context, string) error { return errDown }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Each(parent, []string{"a", "b"}, down); err != errDown {
			t.Fatalf("Each = %v, want errDown", err)
		}
		if n := Skip(parent, []string{"a", "b"}, down); n != 2 {
			t.Fatalf("Skip = %d, want 2", n)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
