package ok

import "sync"

// Node's Stop releases the lock before it waits.
type Node struct {
	mu       sync.Mutex
	wg       sync.WaitGroup
	other    sync.WaitGroup
	children []*Node
	n        int
}

func (n *Node) work() {
	defer n.wg.Done()
	n.mu.Lock()
	n.n++
	n.mu.Unlock()
}

func (n *Node) Start() {
	n.wg.Add(1)
	go n.work()
}

func (n *Node) Stop() {
	n.mu.Lock()
	n.n = 0
	n.mu.Unlock()
	n.wg.Wait()
}

// StartChildren counts goroutines that lock another Node's mutex (a different value of
// the same type): waiting holding n.mu does not block them.
func (n *Node) StartChildren() {
	for _, c := range n.children {
		n.other.Add(1)
		go func(c *Node) {
			defer n.other.Done()
			c.mu.Lock()
			c.n++
			c.mu.Unlock()
		}(c)
	}
}

func (n *Node) StopChildren() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.other.Wait()
}

// Signal's goroutine takes the lock only after it is done.
type Signal struct {
	mu    sync.Mutex
	ready sync.WaitGroup
	count int
}

func (s *Signal) Run() {
	s.ready.Add(1)
	go func() {
		s.ready.Done()
		s.mu.Lock()
		s.count++
		s.mu.Unlock()
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready.Wait()
}

// Queue waits on a Cond, which releases its lock while it waits.
type Queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	wg    sync.WaitGroup
}

func (q *Queue) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait()
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

func (q *Queue) Push(v int) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		q.mu.Lock()
		q.items = append(q.items, v)
		q.mu.Unlock()
		q.cond.Signal()
	}()
}

// Cache's readers hold the read lock, and so does Refresh while it waits for them.
type Cache struct {
	mu sync.RWMutex
	wg sync.WaitGroup
	m  map[string]int
}

func (c *Cache) Refresh(keys []string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, k := range keys {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.mu.RLock()
			_ = c.m[k]
			c.mu.RUnlock()
		}()
	}
	c.wg.Wait()
}

// Batch's goroutines are counted by another group than the one it waits on.
type Batch struct {
	mu      sync.Mutex
	workers sync.WaitGroup
	flushes sync.WaitGroup
	n       int
}

func (b *Batch) Start() {
	b.workers.Add(1)
	go func() {
		defer b.workers.Done()
		b.mu.Lock()
		b.n++
		b.mu.Unlock()
	}()
	b.flushes.Add(1)
	go func() {
		defer b.flushes.Done()
	}()
}

func (b *Batch) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushes.Wait()
}

// Writer counts its own writes: it takes the lock before its Add, when Close's Wait does
// not wait for it yet.
type Writer struct {
	closeMu sync.Mutex
	closed  bool
	wg      sync.WaitGroup
}

func (w *Writer) WriteAt(p []byte) int {
	w.closeMu.Lock()
	if w.closed {
		w.closeMu.Unlock()
		return 0
	}
	w.wg.Add(1)
	w.closeMu.Unlock()
	defer w.wg.Done()
	return len(p)
}

func (w *Writer) Close() {
	w.closeMu.Lock()
	defer w.closeMu.Unlock()
	w.closed = true
	w.wg.Wait()
}

// Tracker's handler takes the lock in its deferred func only after its Done.
type Tracker struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	held int
}

func (t *Tracker) handle(in <-chan int) {
	defer func() {
		t.wg.Done()
		t.mu.Lock()
		t.held--
		t.mu.Unlock()
	}()
	for range in {
	}
}

func (t *Tracker) Start(in <-chan int) {
	t.wg.Add(1)
	go t.handle(in)
}

func (t *Tracker) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wg.Wait()
}
