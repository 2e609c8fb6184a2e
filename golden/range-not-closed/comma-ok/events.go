package events

// Publish starts a listener that hands every event to on, then sends it the events.
func Publish(events []string, on func(string)) {
	ch := make(chan string, len(events))
	go func() {
		for {
			e, ok := <-ch // want "nothing closes ch: reading it until it is closed never ends, so the goroutine reading it blocks forever after the last value"
			if !ok {
				return
			}
			on(e)
		}
	}()
	for _, e := range events {
		ch <- e
	}
}
