package retry

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
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		calls := 0
		thirdTime := func(ctx context.Context) error {
			calls++
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if calls < 3 {
				return errors.New("busy")
			}
			return nil
		}
		if err := Retry(parent, 5, thirdTime); err != nil {
			t.Fatal(err)
		}
		calls = 0
		if err := Poll(parent, 5, thirdTime); err != nil {
			t.Fatal(err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
