// Package worker is the seed article's leak as written: no context anywhere. The fix
// bounds the goroutines; a ctx parameter is not threaded in, because Start has none to
// pass and context.TODO() would stop nothing (the finding says where one must come from).
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
