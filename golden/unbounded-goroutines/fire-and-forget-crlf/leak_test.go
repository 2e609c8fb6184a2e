package notify

import (
	"runtime"
	"testing"
	"time"
)

// 200 slow subscribers: unbounded, one goroutine each at once; bounded, at most 10
// (max-goroutines) while Notify waits for slots.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	subs := make([]Subscriber, 200)
	go Notify(subs, "event")
	// sample until Notify and every subscriber have returned
	peak := 0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		n := runtime.NumGoroutine() - base
		peak = max(peak, n)
		if n == 0 {
			break
		}
	}
	if peak > 10+2 {
		t.Fatalf("goroutine leak: %d goroutines at once for 200 subscribers, the bound is 10", peak)
	}
}
