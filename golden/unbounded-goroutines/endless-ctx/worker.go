// Package worker is the textbook leak: an endless loop that starts a slow goroutine every
// tick, so they pile up without bound.
package worker

import (
	"context"
	"log"
	"time"
)

// How often a task starts and how long one takes; tests shorten them.
var (
	launchEvery = 100 * time.Millisecond
	taskTime    = 10 * time.Second
)

// StartWorker runs a background task every launchEvery until ctx is cancelled.
func StartWorker(ctx context.Context) {
	for {
		go func() { // want "goroutine started in an endless loop with nothing bounding it"
			time.Sleep(taskTime)
			// 模拟处理逻辑
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
