package restore

import (
	"context"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if !First(context.Background(), 8) {
			t.Fatal("First = false")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
