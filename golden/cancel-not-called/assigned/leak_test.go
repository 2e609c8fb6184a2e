package query

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	ok := func(ctx context.Context) error {
		if ctx.Err() != nil {
			return errors.New("cancelled too early")
		}
		return nil
	}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Query(parent, time.Minute, ok); err != nil {
			t.Fatal(err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
