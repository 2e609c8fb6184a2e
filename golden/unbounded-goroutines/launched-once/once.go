// Package once has go statements in loops that can only run once.
package once

import "time"

// FirstMatch hands the first matching item to a goroutine and stops looking.
func FirstMatch(items []string, match func(string) bool, use func(string)) {
	for _, it := range items {
		if match(it) {
			go use(it)
			return
		}
	}
}

// Race starts a fallback when the primary is slow: the timer fires at most once.
func Race(primary <-chan error, fallbackDelay time.Duration, fallback func()) error {
	timer := time.NewTimer(fallbackDelay)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			go fallback()
		case err := <-primary:
			if err != nil && timer.Stop() {
				timer.Reset(0) // start the fallback now: still a single firing
				continue
			}
			return err
		}
	}
}
