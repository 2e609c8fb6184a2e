package namedtype

import (
	"runtime"
	"testing"
	"time"
)

// The check holds only after Start gave up and closed stopCh: the poller must go.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		Start(func() bool { time.Sleep(30 * time.Millisecond); return true }, 5*time.Millisecond)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
