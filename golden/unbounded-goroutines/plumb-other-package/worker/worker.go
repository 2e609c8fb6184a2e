package worker

import "time"

func work() { time.Sleep(20 * time.Millisecond) }

// Start launches work every 10 ms, forever.
func Start() {
	for {
		go func() { // want "endless loop"
			work()
		}()
		time.Sleep(10 * time.Millisecond)
	}
}
