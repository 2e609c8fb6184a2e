//go:build patched || rightfix

package flushqueues

import "time"

// waitForDequeue as gofixleaks 195cbd5 patches it (early-return-send): done buffered for its one send.
func waitForDequeue(queue *ExclusiveQueues) bool {
	done := make(chan struct{}, 1)
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
