package watcher

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	fail := func(context.Context) error { return errors.New("unreachable") }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := New(parent, "w", fail); err == nil {
			t.Fatal("New succeeded")
		}
		if _, err := New(parent, "", func(context.Context) error { return nil }); err == nil {
			t.Fatal("New succeeded without a name")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
