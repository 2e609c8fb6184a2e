package conn

import (
	"context"
	"runtime"
	"testing"
)

// Status leaving on its "not ready" path must not leave the context's goroutine behind.
func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Status(parent, "a", false); err == nil {
			t.Fatal("Status = nil, want not ready")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
