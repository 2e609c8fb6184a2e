package poll

import (
	"context"
	"time"
)

// Report calls emit once per period until done is closed.
func Report(done <-chan struct{}, period time.Duration, emit func()) {
	for range time.Tick(period) {
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
	tick := time.Tick(interval)
	for !ready() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
		}
	}
	return nil
}
