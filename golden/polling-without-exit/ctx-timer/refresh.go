package refresh

import (
	"context"
	"time"
)

// Keep refreshes the cache every period in the background until ctx is done.
func Keep(ctx context.Context, period time.Duration, refresh func()) {
	go func() {
		for { // want "this polling loop never ends, although ctx could stop it"
			refresh()
			time.Sleep(period) // the next round
		}
	}()
}
