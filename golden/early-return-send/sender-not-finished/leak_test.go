package unfinished

import (
	"runtime"
	"testing"
	"time"
)

// Started's receiver takes the started signal, closed before the worker's send: unbuffered,
// every worker is left blocked on out.
func TestLeak(t *testing.T) {
	work := func() int { time.Sleep(20 * time.Millisecond); return 1 }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if v := Started(work); v != 0 && v != 1 {
			t.Fatalf("Started = %d, want 0 or 1", v)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
