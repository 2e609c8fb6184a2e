package crossmaker

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	use := func(ctx context.Context) error { return ctx.Err() }
	fail := func(context.Context) error { return errors.New("refused") }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Fetch(parent, use); err != nil {
			t.Fatal(err)
		}
		if err := Store(parent, fail); err == nil {
			t.Fatal("Store: want an error")
		}
		if err := Delete(parent, use); err != nil {
			t.Fatal(err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
