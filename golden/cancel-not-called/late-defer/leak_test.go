package dial

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

var errRefused = errors.New("connection refused")

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	refuse := func(context.Context) (Conn, error) { return nil, errRefused }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Check(parent, refuse); err != errRefused {
			t.Fatalf("Check = %v, want errRefused", err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
