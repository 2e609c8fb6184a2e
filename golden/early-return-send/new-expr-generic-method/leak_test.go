package fetch

import (
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	slow := func() int { time.Sleep(50 * time.Millisecond); return 1 }
	c := &Client{Limit: time.Millisecond}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := c.Get(slow); err != errTimeout {
			t.Fatalf("Get = %v, want errTimeout", err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
