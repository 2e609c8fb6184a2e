package poller

import (
	"runtime"
	"testing"
)

// Each subtest starts a poller: once the subtest is over, its poller must be gone.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		t.Run("poll", poll)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
