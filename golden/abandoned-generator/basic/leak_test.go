package numbers

import (
	"context"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if got := FirstOver(context.Background(), 3); got != 4 {
			t.Fatalf("FirstOver = %d, want 4", got)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
