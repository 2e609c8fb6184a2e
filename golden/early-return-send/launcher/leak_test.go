package launcher

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// The receivers give up early: the goroutines the launcher started must not stay blocked.
func TestLeak(t *testing.T) {
	slow := func() string { time.Sleep(20 * time.Millisecond); return "late" }
	fail := func(x int) error {
		if x == 0 {
			return errors.New("boom")
		}
		time.Sleep(20 * time.Millisecond)
		return nil
	}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Query(time.Millisecond, slow); err != errTimeout {
			t.Fatalf("Query: %v, want errTimeout", err)
		}
		if err := All([]int{0, 1, 2}, fail); err == nil {
			t.Fatal("All: want the error")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
