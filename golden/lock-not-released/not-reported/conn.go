package conn

import (
	"errors"
	"sync"
	"testing"
)

var errClosed = errors.New("closed")

// Conn shows the shapes lock-not-released leaves alone.
type Conn struct {
	mu      sync.Mutex
	rw      sync.RWMutex
	flock   *fileLock // a file lock, not a mutex
	closed  bool
	pending *int
	n       int
	m       map[string]int
}

// Send unlocks through a closure on its error path.
func (c *Conn) Send(v int) error {
	c.mu.Lock()
	fail := func(err error) error {
		c.mu.Unlock()
		return err
	}
	if c.closed {
		return fail(errClosed)
	}
	c.n += v
	c.mu.Unlock()
	return nil
}

// Flush unlocks in a helper whose name says so.
func (c *Conn) Flush() error {
	c.mu.Lock()
	if c.closed {
		return c.errorAndUnlock(errClosed)
	}
	c.n = 0
	c.mu.Unlock()
	return nil
}

func (c *Conn) errorAndUnlock(err error) error {
	c.mu.Unlock()
	return err
}

// Reset unlocks in a method of the same receiver that releases the lock it was called with.
func (c *Conn) Reset() error {
	c.mu.Lock()
	if c.closed {
		return c.finish(errClosed)
	}
	c.n = 0
	c.mu.Unlock()
	return nil
}

func (c *Conn) finish(err error) error {
	c.mu.Unlock()
	c.n = -1
	return err
}

// lockPending returns with c.mu held when it succeeds; the caller must unlock it.
func (c *Conn) lockPending() error {
	c.mu.Lock()
	if c.pending == nil {
		c.mu.Unlock()
		return errClosed
	}
	return nil
}

// Begin fails unlocked and succeeds holding the lock, for Commit to release.
func (c *Conn) Begin() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	return nil
}

// Commit releases what Begin took.
func (c *Conn) Commit() {
	c.n++
	c.mu.Unlock()
}

// Wait drops the lock while it blocks and takes it again: the deferred unlock covers it.
func (c *Conn) Wait(ready chan struct{}) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.Unlock()
	<-ready
	c.mu.Lock()
	if c.closed {
		return errClosed
	}
	return nil
}

// waitLocked is called holding c.mu and gives it back held.
func (c *Conn) waitLocked(ready chan struct{}) bool {
	c.mu.Unlock()
	<-ready
	c.mu.Lock()
	if c.closed {
		return false
	}
	c.n++
	c.mu.Unlock()
	c.mu.Lock()
	return true
}

// Drop reaches its return both holding the lock and not: not reported.
func (c *Conn) Drop(k string) error {
	c.mu.Lock()
	if _, ok := c.m[k]; ok {
		delete(c.m, k)
		c.mu.Unlock()
	}
	return nil
}

// Check panics instead of returning with the lock held.
func (c *Conn) Check() int {
	c.rw.RLock()
	if c.n < 0 {
		panic("negative count")
	}
	n := c.n
	c.rw.RUnlock()
	return n
}

// Signal uses the mutex as a signal another goroutine releases.
func (c *Conn) Signal() {
	c.mu.Lock()
	go func() {
		c.n++
		c.mu.Unlock()
	}()
	if c.closed {
		return
	}
	c.mu.Lock()
	c.mu.Unlock()
}

// Debug never takes its early return.
func (c *Conn) Debug() int {
	c.mu.Lock()
	if false {
		return -1
	}
	n := c.n
	c.mu.Unlock()
	return n
}

// Borrow hands the mutex itself to its caller.
func (c *Conn) Borrow(ok bool) *sync.Mutex {
	c.mu.Lock()
	if ok {
		return &c.mu
	}
	c.mu.Unlock()
	return nil
}

// LockFile locks a file, which is not a mutex.
func (c *Conn) LockFile() error {
	c.flock.Lock()
	if c.closed {
		return errClosed
	}
	c.flock.Unlock()
	return nil
}

type fileLock struct{ path string }

func (f *fileLock) Lock()   {}
func (f *fileLock) Unlock() {}

// Harness ends the test on a bad state instead of returning with the lock held.
type Harness struct {
	tb testing.TB
	c  *Conn
}

// Count fails the test when the connection is closed.
func (h *Harness) Count() int {
	h.c.mu.Lock()
	if h.c.closed {
		h.tb.Fatal("connection closed")
	}
	n := h.c.n
	h.c.mu.Unlock()
	return n
}

// Forward unlocks on the path that goes round the loop early too.
func (c *Conn) Forward(in chan int, out chan int) {
	for v := range in {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			continue
		}
		c.n += v
		c.mu.Unlock()
		out <- v
	}
}

// Batch holds the lock for the whole loop and releases it after.
func (c *Conn) Batch(in chan int) {
	c.mu.Lock()
	for v := range in {
		if v < 0 {
			continue
		}
		c.n += v
	}
	c.mu.Unlock()
}

// LockClosed keeps the closed connections locked until it has seen them all, then unlocks
// them after the loop: whether a path there holds a lock is the function's own state.
func LockClosed(conns []*Conn) int {
	n := 0
	for _, c := range conns {
		c.mu.Lock()
		if c.closed {
			continue
		}
		n += c.n
		c.mu.Unlock()
	}
	for _, c := range conns {
		if c.closed {
			c.mu.Unlock()
		}
	}
	return n
}

// countAll fails the test on a closed connection and goes on: a goroutine a failed run
// leaves blocked is not a leak anyone fixes.
func countAll(t testing.TB, c *Conn, rounds int) int {
	n := 0
	for i := 0; i < rounds; i++ {
		c.mu.Lock()
		if c.closed {
			t.Errorf("connection closed")
			continue
		}
		n += c.n
		c.mu.Unlock()
	}
	return n
}
