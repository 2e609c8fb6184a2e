// Package notify fans events out to subscribers.
package notify

import "time"

// Subscriber is the address of a subscriber (订阅者).
type Subscriber string

// delay is how long a delivery takes.
var delay = 20 * time.Millisecond

func deliver(s Subscriber, ev string) {
	time.Sleep(delay)
}

// Notify sends ev to every subscriber (订阅者) without waiting for any of them.
func Notify(subs []Subscriber, ev string) {
	for _, sub := range subs {
		go func() { // want "goroutine started for every element of subs, and Notify does not wait for them"
			deliver(sub, ev)
		}()
	}
}

// Call runs every callback without waiting: their code is out of view (one may wait on
// a lock the caller holds while the caller would wait for a slot), so no bound is added.
func Call(callbacks []func(string), ev string) {
	for _, cb := range callbacks {
		go cb(ev) // want "goroutine started for every element of callbacks, and Call does not wait for them"
	}
}
