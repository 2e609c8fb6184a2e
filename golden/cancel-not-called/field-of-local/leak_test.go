package worker

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	fail := func(context.Context) error { return errors.New("no") }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Start(parent, "w", fail); err == nil {
			t.Fatal("Start succeeded on a failed init")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
