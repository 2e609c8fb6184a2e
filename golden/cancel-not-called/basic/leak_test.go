package fetch

import (
	"context"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	results := make(chan string, 1)
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		results <- "ok"
		if r, err := Fetch(parent, results); r != "ok" || err != nil {
			t.Fatalf("Fetch = %q, %v", r, err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
