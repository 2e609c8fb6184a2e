package settled

import (
	"context"
	"time"
)

// Deferred stops the timer on every path.
func Deferred(ch <-chan int, d time.Duration) int {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case v := <-ch:
		return v
	case <-t.C:
		return -1
	}
}

// EachCase either fires the timer or stops it first thing.
func EachCase(ctx context.Context, ch <-chan int, d time.Duration) int {
	t := time.NewTimer(d)
	select {
	case v := <-ch:
		t.Stop()
		return v
	case <-ctx.Done():
		if !t.Stop() {
			<-t.C
		}
		return -2
	case <-t.C:
		return -1
	}
}

// Sleep waits for the timer to fire: a fired timer is released.
func Sleep(d time.Duration) {
	t := time.NewTimer(d)
	<-t.C
}

// Returned hands the timer to the caller.
func Returned(d time.Duration) *time.Timer {
	t := time.NewTimer(d)
	return t
}

type Conn struct{ deadline *time.Timer }

// Stored keeps the timer in a field: Close is its owner.
func (c *Conn) Stored(d time.Duration) {
	t := time.NewTimer(d)
	c.deadline = t
}

func (c *Conn) Close() { c.deadline.Stop() }

// Passed gives the timer to a function that stops it.
func Passed(d time.Duration) {
	t := time.NewTimer(d)
	stopLater(t)
}

func stopLater(t *time.Timer) { t.Stop() }

// After runs f unless stopped: stopping an AfterFunc timer would cancel f.
func After(d time.Duration, f func()) {
	time.AfterFunc(d, f)
	t := time.AfterFunc(d, f)
	_ = t
}

// Supervise stops the timer before its only return; when it fires it is re-armed.
func Supervise(done <-chan struct{}, d time.Duration, warn func()) {
	t := time.NewTimer(d)
	for {
		select {
		case <-done:
			t.Stop()
			return
		case <-t.C:
			warn()
			t.Reset(d)
		}
	}
}

// Retry returns when the timer fires, having seen it fire, or stops it first.
func Retry(try func() bool, d time.Duration) bool {
	t := time.NewTimer(d)
	for !try() {
		select {
		case <-t.C:
			return false
		default:
		}
	}
	t.Stop()
	return true
}

// DeferredClosure stops the timer from a deferred function literal.
func DeferredClosure(ch <-chan int, d time.Duration) int {
	t := time.NewTimer(d)
	defer func() {
		t.Stop()
	}()
	select {
	case v := <-ch:
		return v
	case <-t.C:
		return -1
	}
}

// Later hands the timer to a closure that runs after Later returns: stopping it here
// would strand the closure.
func Later(d time.Duration) func(<-chan int) bool {
	t := time.NewTimer(d)
	return func(ch <-chan int) bool {
		select {
		case <-ch:
			t.Stop()
			return true
		case <-t.C:
			return false
		}
	}
}
