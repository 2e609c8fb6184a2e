package watcher

import (
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		Start(time.Millisecond).Stop()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
