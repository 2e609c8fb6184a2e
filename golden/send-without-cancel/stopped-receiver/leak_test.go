package transport

import (
	"runtime"
	"testing"
)

// A connection yielded after Stop must not block its caller for good.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		tr := New()
		tr.Start()
		tr.Yield(1)
		tr.Stop()
		go tr.Yield(2)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
