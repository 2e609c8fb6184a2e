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

// Publish hands each value on; on the first failure it reports it, on a goroutine when the
// connection is closed, and stops: the return after the branches ends the loop.
func Publish(next func() (int, bool), send func(int) error, closed func() bool, report func(error)) {
	for {
		v, ok := next()
		if !ok {
			return
		}
		if err := send(v); err != nil {
			if report != nil {
				if closed() {
					go report(err)
				} else {
					report(err)
				}
			}
			return
		}
	}
}

// Retry reports each failure on a goroutine and goes on: a continue before the return
// leads to the next pass, so the launches repeat.
func Retry(next func() (int, bool), send func(int) error, report func(error)) {
	for {
		v, ok := next()
		if !ok {
			return
		}
		if err := send(v); err != nil {
			if report != nil {
				go report(err) // want "goroutine started in an endless loop"
			}
			continue
		}
		return
	}
}
