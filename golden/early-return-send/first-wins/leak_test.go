package first

import (
	"runtime"
	"testing"
	"time"
)

func settle(base int) int { // poll until back to base or 2 s pass
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLeak(t *testing.T) {
	fast := func(string) Result { return "fast" }
	slow := func(string) Result { time.Sleep(20 * time.Millisecond); return "slow" }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if r := First("q", []Search{fast, slow, slow}); r != "fast" {
			t.Fatalf("First = %q, want fast", r)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
