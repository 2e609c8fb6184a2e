package open

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

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
