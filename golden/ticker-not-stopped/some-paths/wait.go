package wait

import "time"

// Wait stops the ticker after a tick, but the early return skips the Stop.
func Wait(d time.Duration, quick bool) bool {
	t := time.NewTicker(d) // want "ticker t from time.NewTicker is not stopped on every path"
	if quick {
		return false
	}
	<-t.C
	t.Stop()
	return true
}

// Twice makes two tickers in one function: both leak.
func Twice(d time.Duration) {
	fast := time.NewTicker(d)     // want "ticker fast .* never stopped"
	slow := time.NewTicker(2 * d) // want "ticker slow .* never stopped"
	<-fast.C
	<-slow.C
}
