// Package flushqueues reproduces tempo pkg/flushqueues at ad33aa8: ExclusiveQueues over a
// PriorityQueue whose Dequeue waits on a sync.Cond until an item arrives or the queue closes.
package flushqueues

import "sync"

type simpleItem int

func (i simpleItem) Key() string { return string(rune('a' + int(i))) }

// PriorityQueue is priority_queue.go cut down to what Dequeue's wait needs (FIFO order).
type PriorityQueue struct {
	lock    sync.Mutex
	cond    *sync.Cond
	queue   []simpleItem
	hit     map[string]struct{}
	closing bool
}

func newPriorityQueue() *PriorityQueue {
	pq := &PriorityQueue{hit: map[string]struct{}{}}
	pq.cond = sync.NewCond(&pq.lock)
	return pq
}

// Close is priority_queue.go:68-73.
func (pq *PriorityQueue) Close() {
	pq.lock.Lock()
	defer pq.lock.Unlock()
	pq.closing = true
	pq.cond.Broadcast()
}

// Enqueue adds op unless it is already queued.
func (pq *PriorityQueue) Enqueue(op simpleItem) bool {
	pq.lock.Lock()
	defer pq.lock.Unlock()
	if _, ok := pq.hit[op.Key()]; ok {
		return false
	}
	pq.hit[op.Key()] = struct{}{}
	pq.queue = append(pq.queue, op)
	pq.cond.Broadcast()
	return true
}

// Dequeue is priority_queue.go:111-130: it blocks until an item arrives or the queue closes.
func (pq *PriorityQueue) Dequeue() simpleItem {
	pq.lock.Lock()
	defer pq.lock.Unlock()
	for len(pq.queue) == 0 && !pq.closing {
		pq.cond.Wait()
	}
	if len(pq.queue) == 0 {
		return 0
	}
	op := pq.queue[0]
	pq.queue = pq.queue[1:]
	delete(pq.hit, op.Key())
	return op
}

// ExclusiveQueues is exclusivequeues.go:24-67.
type ExclusiveQueues struct {
	queue      *PriorityQueue
	activeKeys sync.Map
}

func New() *ExclusiveQueues { return &ExclusiveQueues{queue: newPriorityQueue()} }

func (f *ExclusiveQueues) Enqueue(op simpleItem) {
	if _, loaded := f.activeKeys.LoadOrStore(op.Key(), struct{}{}); loaded {
		return
	}
	f.Requeue(op)
}

func (f *ExclusiveQueues) Dequeue() simpleItem   { return f.queue.Dequeue() }
func (f *ExclusiveQueues) Requeue(op simpleItem) { f.queue.Enqueue(op) }
func (f *ExclusiveQueues) Clear(op simpleItem)   { f.activeKeys.Delete(op.Key()) }
func (f *ExclusiveQueues) Stop()                 { f.queue.Close() }
