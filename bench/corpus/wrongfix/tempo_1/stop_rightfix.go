//go:build rightfix || stoponly

package flushqueues

// stopQueue: the other half of the repair, `defer queue.Stop()` in the test: Close broadcasts,
// the Dequeue still waiting returns zero, and the buffered done lets its goroutine finish.
// -tags stoponly pairs it with the input's unbuffered done, to show that it needs the buffer.
func stopQueue(q *ExclusiveQueues) { q.Stop() }
