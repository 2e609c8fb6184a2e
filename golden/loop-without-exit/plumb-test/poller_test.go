// Package poller's tests start a helper goroutine that polls on a ticker for as long as
// the process lives: one more for every test that calls it.
package poller

import (
	"sync/atomic"
	"testing"
	"time"
)

// startPoller counts ticks in a goroutine nothing stops.
func startPoller(ticks *atomic.Int64) {
	tick := time.NewTicker(time.Millisecond)
	go func() {
		for range tick.C { // want "ranging over tick.C never ends"
			ticks.Add(1)
		}
	}()
}

// poll waits for a first tick.
func poll(t *testing.T) {
	var n atomic.Int64
	startPoller(&n)
	deadline := time.Now().Add(5 * time.Second)
	for n.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n.Load() == 0 {
		t.Fatal("no tick in 5s")
	}
}

func TestPoller(t *testing.T) {
	poll(t)
}
