package timerbeforego

import "time"

// Idle calls onIdle when nothing arrives on events within d; with no events channel there
// is nothing to watch, and the timer made up front is left behind.
func Idle(events <-chan struct{}, d time.Duration, onIdle func()) {
	idle := time.NewTimer(d) // want "timer idle .* not stopped on every path"
	if events == nil {
		return
	}
	go func() {
		select {
		case <-events:
			idle.Stop()
		case <-idle.C:
			onIdle()
		}
	}()
}
