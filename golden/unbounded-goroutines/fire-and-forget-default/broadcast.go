// Package broadcast fans each event out once per call, and once per tick.
package broadcast

import "time"

func deliver(to string, ev string) {
	time.Sleep(time.Millisecond)
}

// Notify starts one delivery per subscriber and does not wait: as wide as the list the
// caller holds, once per call. Not reported by default (fire-and-forget = false).
func Notify(subs []string, ev string) {
	for _, sub := range subs {
		go deliver(sub, ev)
	}
}

// Pump does the same on every tick, for ever: a slow delivery piles up round after round,
// so it is reported whatever fire-and-forget says.
func Pump(t *time.Ticker, subs func() []string) {
	for range t.C {
		for _, sub := range subs() {
			go deliver(sub, "tick") // want "goroutine started on every tick of t.C"
		}
	}
}

// Retry fans out again in an endless loop.
func Retry(subs []string) {
	for {
		for _, sub := range subs {
			go deliver(sub, "retry") // want "goroutine started for every element of subs, and Retry does not wait for them"
		}
		time.Sleep(time.Second)
	}
}
