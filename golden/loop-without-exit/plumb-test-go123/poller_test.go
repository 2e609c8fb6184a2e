// Package poller's tests are plumb-test's, in a module at Go 1.23: testing.T has no
// Context method yet, so no test has a context to give the poller; it is reported
// without a fix.
package poller

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
	for n.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
}
