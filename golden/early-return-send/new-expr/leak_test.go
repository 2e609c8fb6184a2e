package query

import (
	"runtime"
	"testing"
	"time"
)

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
