package store

import (
	"runtime"
	"testing"
	"time"
)

// settle waits for goroutines that are ending to be gone, and counts those left.
func settle(base int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 50 && n > base; i++ {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Open("fake", "down"); err == nil {
			t.Fatal("Open succeeded on a failed ping")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
