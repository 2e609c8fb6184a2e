// Package notify fans events out to subscribers.
package notify

// Notify sends ev to every subscriber (订阅者) without waiting for any of them.
func Notify(subs []func(string), ev string) {
	for _, sub := range subs {
		go func() { // want "goroutine started for every element of subs, and Notify does not wait for them"
			sub(ev)
		}()
	}
}
