package query

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
	slow := func() string { time.Sleep(50 * time.Millisecond); return "late" }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Query(time.Millisecond, slow); err != errTimeout {
			t.Fatalf("Query = %v, want errTimeout", err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
