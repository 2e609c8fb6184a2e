package poll

import (
	"context"
	"time"
)

// Report calls emit once per period until done is closed.
func Report(done <-chan struct{}, period time.Duration, emit func()) {
	for range time.Tick(period) { // want "for range time.Tick\\(period\\) starts a ticker that nothing can stop: before Go 1.23 it runs forever after the loop ends"
		select {
		case <-done:
			return
		default:
		}
		emit()
	}
}

// Wait polls ready every interval until it reports true or ctx ends.
func Wait(ctx context.Context, interval time.Duration, ready func() bool) error {
	tick := time.Tick(interval) // want "tick := time.Tick\\(interval\\) starts a ticker that nothing can stop"
	for !ready() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
		}
	}
	return nil
}
