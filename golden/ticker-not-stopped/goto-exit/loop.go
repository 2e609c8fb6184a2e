// Package gotoexit leaves its loops through a label that stops the tickers (nsqd's
// queueScanLoop and statsdLoop): every exit passes the Stop.
package gotoexit

import (
	"log"
	"time"
)

// Scan works on every tick and refreshes on another until exit is closed.
func Scan(exit <-chan struct{}, work, refresh func() bool) {
	workTicker := time.NewTicker(time.Second)
	refreshTicker := time.NewTicker(5 * time.Second)
	for {
		select {
		case <-workTicker.C:
		case <-refreshTicker.C:
			refresh()
			continue
		case <-exit:
			goto exit
		}
	loop:
		if work() {
			goto loop
		}
	}

exit:
	log.Print("closing")
	workTicker.Stop()
	refreshTicker.Stop()
}

// Report jumps past its Stop when the report fails: that path keeps the ticker.
func Report(exit <-chan struct{}, send func() error) {
	ticker := time.NewTicker(time.Second) // want "ticker ticker from time.NewTicker is not stopped on every path"
	for {
		select {
		case <-exit:
			goto exit
		case <-ticker.C:
			if send() != nil {
				goto fail
			}
		}
	}
exit:
	ticker.Stop()
	return
fail:
	log.Print("report failed")
}
