// Package worker is the seed article's leak as written: no context anywhere, so the fix
// threads one in (context plumbing) besides bounding the goroutines.
package worker

import (
	"log"
	"time"
)

// How often a task starts and how long one takes; tests shorten them.
var (
	launchEvery = 100 * time.Millisecond
	taskTime    = 10 * time.Second
)

func startWorker() {
	for {
		go func() { // want "goroutine started in an endless loop with nothing bounding it"
			time.Sleep(taskTime)
			result := heavyCompute()
			log.Println(result)
		}()
		time.Sleep(launchEvery)
	}
}

func heavyCompute() int {
	n := 0
	for i := 0; i < 1000; i++ {
		n += i
	}
	return n
}

// Start runs the worker in the background.
func Start() {
	go startWorker()
}
