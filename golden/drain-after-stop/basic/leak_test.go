package reminder

import (
	"runtime"
	"testing"
	"time"
)

// Stopped before it fires: the deferred drain waits for a value that never comes.
func TestLeak(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		go Wait(time.Hour, stop, func() {})
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
