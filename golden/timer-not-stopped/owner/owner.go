package owner

import "time"

// Watch reports on out when no event arrived within d; the goroutine alone uses the timer.
func Watch(events <-chan struct{}, d time.Duration, out chan<- string) {
	idle := time.NewTimer(d) // want "timer idle .* never stopped"
	go func() {
		for {
			select {
			case _, ok := <-events:
				if !ok {
					out <- "closed"
					return
				}
			case <-idle.C:
				out <- "idle"
				return
			}
		}
	}()
}
