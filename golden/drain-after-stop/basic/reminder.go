package reminder

import "time"

// Wait calls fire when d has passed, or returns early once stop is closed. Either way it
// cleans up its timer before it returns.
func Wait(d time.Duration, stop <-chan struct{}, fire func()) {
	t := time.NewTimer(d)
	defer func() {
		if t.Stop() {
			<-t.C // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
		}
	}()
	select {
	case <-t.C:
		fire()
	case <-stop:
	}
}
