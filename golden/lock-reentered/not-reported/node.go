package node

import "sync"

// Observer hears about changes.
type Observer interface{ Notify() }

// Node is a counter in a tree.
type Node struct {
	mu     sync.Mutex
	n      int
	child  *Node
	obs    Observer
	onSize func() int
}

// Len locks the node to read it.
func (x *Node) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.n
}

// Notify locks the node: a Node observes another.
func (x *Node) Notify() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.n++
}

// Merge locks another node of the same type: a different value.
func (x *Node) Merge(other *Node) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.n += other.Len()
}

// Total reads its child, another value.
func (x *Node) Total() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.n + x.child.Len()
}

// Later returns a func that locks when it is called, not now.
func (x *Node) Later() func() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return func() int { return x.Len() }
}

// Async notifies on a goroutine of its own, which waits for the unlock.
func (x *Node) Async() {
	x.mu.Lock()
	defer x.mu.Unlock()
	go x.Notify()
}

// Report notifies after the deferred unlock: defers run last in, first out.
func (x *Node) Report() {
	defer x.Notify()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.n++
}

// Bump notifies at its return, after the unlock.
func (x *Node) Bump() {
	x.mu.Lock()
	defer x.Notify()
	x.n++
	x.mu.Unlock()
}

// add locks only when its caller does not hold the lock.
func (x *Node) add(d int, locked bool) {
	if !locked {
		x.mu.Lock()
		defer x.mu.Unlock()
	}
	x.n += d
}

// Double holds the lock and says so.
func (x *Node) Double() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.add(x.n, true)
}

// Peek only tries the lock.
func (x *Node) Peek() int {
	if !x.mu.TryLock() {
		return -1
	}
	defer x.mu.Unlock()
	return x.n
}

// Snapshot peeks while holding the lock: Peek gives up rather than wait.
func (x *Node) Snapshot() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.Peek()
}

// resetLocked runs with x.mu held by its caller.
func (x *Node) resetLocked() {
	x.n = 0
	x.Notify()
}

// Reset calls a method named for a caller that holds the lock.
func (x *Node) Reset() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.resetLocked()
}

// grow must be called with x.mu held.
func (x *Node) grow() {
	x.n *= 2
	x.Notify()
}

// Grow calls a method documented as called with the lock held.
func (x *Node) Grow() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.grow()
}

// Settle unlocks before it reads.
func (x *Node) Settle() int {
	x.mu.Lock()
	x.n++
	x.mu.Unlock()
	return x.Len()
}

// Tell calls through an interface and a func value: neither can be followed.
func (x *Node) Tell() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.obs.Notify()
	return x.onSize()
}

// Refresh takes the lock and fetches with a token, so fetch never calls Len.
func (x *Node) Refresh() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.fetch("token")
}

// fetch reads the size only when its caller gave no token.
func (x *Node) fetch(token string) {
	if token == "" {
		x.n = x.Len()
	}
}

// Find takes the lock and asks for a lookup that creates nothing.
func (x *Node) Find() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.lookup(false)
}

// lookup creates only when asked to.
func (x *Node) lookup(create bool) {
	if !create {
		return
	}
	x.Notify()
}
