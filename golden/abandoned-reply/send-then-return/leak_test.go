package start

import (
	"runtime"
	"testing"
	"time"
)

// Each health check answers true after the start has timed out: the poller must not stay
// blocked on ready.
func TestLeak(t *testing.T) {
	slow := func() bool { time.Sleep(30 * time.Millisecond); return true }
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		if err := Start(slow, 5*time.Millisecond); err != ErrTimeout {
			t.Fatalf("Start = %v, want ErrTimeout", err)
		}
	}
	// and each fetch fails after Fetch has timed out: the fetcher must not stay blocked on out
	failing := func() (int, error) { time.Sleep(30 * time.Millisecond); return 0, ErrFailed }
	for i := 0; i < 5; i++ {
		if _, err := Fetch(failing, 5*time.Millisecond); err != ErrTimeout {
			t.Fatalf("Fetch = %v, want ErrTimeout", err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
