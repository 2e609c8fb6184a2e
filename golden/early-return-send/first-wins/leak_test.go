package first

import (
	"runtime"
	"testing"
	"time"
)

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
