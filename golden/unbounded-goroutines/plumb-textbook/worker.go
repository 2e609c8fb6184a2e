package worker

import "time"

var results = make(chan int, 1)

func heavyCompute() int {
	time.Sleep(20 * time.Millisecond)
	return 42
}

// startWorker is the textbook leak: a goroutine every 10 ms, forever, and no way to stop.
func startWorker() {
	for {
		go func() { // want "endless loop"
			result := heavyCompute()
			select {
			case results <- result:
			default:
			}
		}()
		time.Sleep(10 * time.Millisecond)
	}
}
