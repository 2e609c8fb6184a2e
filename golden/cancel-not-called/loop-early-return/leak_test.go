package each

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

var errDown = errors.New("host down")

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
