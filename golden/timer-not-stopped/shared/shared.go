package shared

import "time"

// Arm calls onTimeout from a goroutine unless done closes first; the caller may push the
// deadline back. A defer in Arm would stop the timer while the goroutine still waits on it.
func Arm(d time.Duration, done <-chan struct{}, onTimeout func()) {
	t := time.NewTimer(d) // want "timer t .* never stopped"
	go func() {
		select {
		case <-t.C:
			onTimeout()
		case <-done:
		}
	}()
	t.Reset(2 * d)
}
