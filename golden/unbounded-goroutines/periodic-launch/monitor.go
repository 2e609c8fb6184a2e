// Package periodic launches a health check on every tick. The loop must keep ticking
// while checks run: a semaphore acquired there would stall it behind slow checks.
package periodic

import (
	"context"
	"time"
)

// Monitor checks a backend periodically and counts its ticks.
type Monitor struct {
	Ticks chan int
	check func()
}

// Run launches a check on every tick and reports each tick on m.Ticks: a run loop
// paced by its events, no finding.
func (m *Monitor) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n++
			go m.check()
			m.Ticks <- n
		}
	}
}

// Poll ranges over a ticker and launches a probe each time.
func Poll(t *time.Ticker, probe func(), seen chan<- struct{}) {
	for range t.C {
		go probe() // want "goroutine started on every tick of t.C"
		seen <- struct{}{}
	}
}

// Sweep sends one request per configured target on every tick: the ticker paces the
// outer loop, so a bound inside would stall it too.
func Sweep(ctx context.Context, t *time.Ticker, targets func() []string, send func(string)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, target := range targets() {
			go send(target) // want "goroutine started on every tick of t.C"
		}
	}
}

// Heartbeat refreshes its session every period and, when the cluster says it is its turn,
// starts a cleanup of stale sessions (juicefs's refresh): the loop's own work must go on
// while cleanups run, so a semaphore there would stop the heartbeat.
func Heartbeat(ctx context.Context, every time.Duration, refresh func(), myTurn func() bool, cleanup func()) {
	for {
		if ctx.Err() != nil {
			return
		}
		time.Sleep(every)
		refresh()
		if myTurn() {
			go cleanup() // want "goroutine started in an endless loop with nothing bounding it"
		}
	}
}
