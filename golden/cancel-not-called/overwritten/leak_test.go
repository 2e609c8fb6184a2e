package retry

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

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
