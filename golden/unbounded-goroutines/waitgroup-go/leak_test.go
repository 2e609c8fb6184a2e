package drain

import (
	"runtime"
	"testing"
	"time"
)

// 100 events arrive at once and each takes 20 ms: unbounded, 100 goroutines at once;
// bounded, at most 10 (max-goroutines).
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	events := make(chan string, 100)
	for i := 0; i < 100; i++ {
		events <- "e"
	}
	close(events)
	done := make(chan struct{})
	go func() {
		Drain(events, func(string) { time.Sleep(20 * time.Millisecond) })
		close(done)
	}()
	peak := 0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		peak = max(peak, runtime.NumGoroutine()-base)
		select {
		case <-done:
			deadline = time.Now()
		default:
		}
	}
	if peak > 10+2 {
		t.Fatalf("goroutine leak: %d goroutines at once for 100 events, the bound is 10", peak)
	}
}
