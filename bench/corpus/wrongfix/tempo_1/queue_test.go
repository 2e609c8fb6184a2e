package flushqueues

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// exclusiveQueueLocks is TestExclusiveQueueLocks (exclusivequeues_test.go:119-144): its last
// waitForDequeue must time out, since the re-enqueued job was dropped.
func exclusiveQueueLocks(t *testing.T) {
	queue := New()
	defer stopQueue(queue)
	job := simpleItem(1)

	queue.Enqueue(job)
	if i := queue.Dequeue(); i != job {
		t.Fatalf("dequeued %v, want %v", i, job)
	}
	queue.Requeue(job)
	if !waitForDequeue(queue) {
		t.Fatal("Requeue didn't unblock Dequeue")
	}
	queue.Clear(job)
	queue.Enqueue(job)
	if !waitForDequeue(queue) {
		t.Fatal("Enqueue didn't unblock Dequeue")
	}
	queue.Enqueue(job)
	if waitForDequeue(queue) {
		t.Fatal("Enqueue unlocked Dequeue")
	}
}

// stranded counts the goroutines started by waitForDequeue that are still alive.
func stranded() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), ".waitForDequeue.func1()")
}

// TestExclusiveQueueLocksLeavesNoGoroutine: the test's assertions hold in every build; what
// differs is the goroutine of the last waitForDequeue. On the input and on the patched code it
// stays in Dequeue's cond.Wait for good (the buffer only frees the send, which is never
// reached); with -tags stoponly (queue.Stop alone) Dequeue returns and the goroutine blocks on
// the unbuffered send instead; with -tags rightfix (buffer + queue.Stop) it finishes.
func TestExclusiveQueueLocksLeavesNoGoroutine(t *testing.T) {
	exclusiveQueueLocks(t)
	deadline := time.Now().Add(time.Second)
	for stranded() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := stranded(); n > 0 {
		t.Fatalf("%d waitForDequeue goroutine(s) still blocked 1 s after the test", n)
	}
}
