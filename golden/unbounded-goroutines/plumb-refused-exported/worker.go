package worker

import "time"

func work() { time.Sleep(20 * time.Millisecond) }

// StartWorker is exported: callers outside this module would break if it gained a
// parameter, so only the semaphore is added (and the finding says why no ctx).
func StartWorker() {
	for {
		go func() { // want "endless loop"
			work()
		}()
		time.Sleep(10 * time.Millisecond)
	}
}
