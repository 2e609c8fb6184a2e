package progress

import (
	"log"
	"time"
)

// Wait logs progress until done; the ticker is stopped on the loop's only way out, a
// labelled break (the shape of cmd/trace's parseTraceInteractive).
func Wait(done <-chan struct{}, every time.Duration) {
	ticker := time.NewTicker(every)
progressLoop:
	for {
		select {
		case <-ticker.C:
		case <-done:
			ticker.Stop()
			break progressLoop
		}
		log.Printf("still working")
	}
}

// WaitOrGiveUp breaks out on a path that does not stop the ticker.
func WaitOrGiveUp(done <-chan struct{}, giveUp <-chan struct{}, every time.Duration) {
	ticker := time.NewTicker(every) // want "ticker ticker .* not stopped on every path"
loop:
	for {
		select {
		case <-ticker.C:
		case <-giveUp:
			break loop
		case <-done:
			ticker.Stop()
			break loop
		}
	}
}
