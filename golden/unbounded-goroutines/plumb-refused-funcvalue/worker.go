package worker

import "time"

func work() { time.Sleep(20 * time.Millisecond) }

// startWorker is also used as a function value below: its type cannot change safely.
func startWorker() {
	for {
		go func() { // want "endless loop"
			work()
		}()
		time.Sleep(10 * time.Millisecond)
	}
}

var starters = []func(){startWorker}
