//go:build !patched && !rightfix

package flushqueues

import "time"

// waitForDequeue as in exclusivequeues_test.go:146-159 at ad33aa8.
func waitForDequeue(queue *ExclusiveQueues) bool {
	done := make(chan struct{})
	go func() {
		queue.Dequeue()
		done <- struct{}{}
	}()
	select {
	case <-done:
		return true
	case <-time.After(100 * time.Millisecond):
		return false
	}
}
