package negative

import (
	"context"
	"sync"
	"time"
)

var refreshOnce sync.Once

// RefreshOnce starts the one refresher of the process, in a package-level once.Do: it lives
// as long as the process, whichever caller's ctx is in scope.
func RefreshOnce(ctx context.Context, refresh func()) {
	refreshOnce.Do(func() {
		go func() {
			for {
				refresh()
				time.Sleep(time.Minute)
			}
		}()
	})
}
