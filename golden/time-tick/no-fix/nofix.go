package nofix

import "time"

type Clock struct{ beat <-chan time.Time }

// Start keeps the channel in a field: the ticker must be stopped by whoever owns Clock.
func (c *Clock) Start(d time.Duration) {
	c.beat = time.Tick(d) // want "time.Tick\\(d\\) starts a ticker that nothing can stop and hands its channel on"
}

// Beat returns the channel to its caller.
func Beat(d time.Duration) <-chan time.Time {
	return time.Tick(d) // want "time.Tick\\(d\\) starts a ticker that nothing can stop and hands its channel on"
}

// Paused turns the beat off by setting it to nil: t.C cannot be assigned.
func Paused(d time.Duration, pause <-chan bool, n int) {
	tick := time.Tick(d) // want "tick := time.Tick\\(d\\) starts a ticker"
	for n > 0 {
		select {
		case <-tick:
			n--
		case p := <-pause:
			if p {
				tick = nil
			}
		}
	}
}

// Background reads the beat in a goroutine that ends: stopping the ticker when Background
// returns would strand it.
func Background(d time.Duration, n int, done chan<- bool) {
	tick := time.Tick(d) // want "tick := time.Tick\\(d\\) starts a ticker"
	go func() {
		for i := 0; i < n; i++ {
			<-tick
		}
		done <- true
	}()
}

// Declared with var and a type.
func Declared(d time.Duration) {
	var tick <-chan time.Time = time.Tick(d) // want "tick = time.Tick\\(d\\) starts a ticker"
	<-tick
}
