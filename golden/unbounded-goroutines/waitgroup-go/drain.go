// Package drain handles a stream of events with sync.WaitGroup.Go.
package drain

import "sync"

// Drain handles every event received on events and returns when all are handled.
func Drain(events <-chan string, handle func(string)) {
	var wg sync.WaitGroup
	for ev := range events {
		wg.Go(func() { // want "goroutine started by wg.Go for every value received from events"
			handle(ev)
		})
	}
	wg.Wait()
}
