// Package cleanup's tests register Cleanup functions, which run after a test's context
// has ended: one may still need a goroutine that context would stop, so no test passes
// t.Context() and, with no other context to pass, the poller is reported without a fix.
package cleanup

import (
	"sync/atomic"
	"testing"
	"time"
)

func startPoller(ticks *atomic.Int64) {
	tick := time.NewTicker(time.Millisecond)
	go func() {
		for range tick.C { // want "ranging over tick.C never ends"
			ticks.Add(1)
		}
	}()
}

func TestPoller(t *testing.T) {
	var n atomic.Int64
	startPoller(&n)
	t.Cleanup(func() {
		for n.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
	})
}
