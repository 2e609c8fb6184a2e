// Package spawn starts a goroutine that lives until shutdown on every pass of an endless
// loop: they pile up for good, but a semaphore would block the loop once every slot
// holds one, so the finding comes without a fix.
package spawn

import (
	"context"
	"time"
)

// Spawn starts a heartbeat loop every period, forever.
func Spawn(ctx context.Context, period time.Duration, beat func()) {
	for {
		go heartbeat(ctx, period, beat) // want "goroutine started in an endless loop"
		time.Sleep(period)
	}
}

func heartbeat(ctx context.Context, period time.Duration, beat func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			beat()
		}
	}
}
