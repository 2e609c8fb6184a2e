package message

import (
	"runtime"
	"testing"
)

// Once closed, a Conn's reader and a Feed's producer must be gone.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		NewConn(func() int { return 1 }).Close()
		NewFeed().Stop()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
