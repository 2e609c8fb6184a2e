package cache

import (
	"sync"
	"time"
)

// batcher keeps a timer from a pool in a field named like entry's AfterFunc timer; the
// goroutine waiting on it returns it to the pool once stop is closed, so clearing the
// field drops nothing that still runs. Not reported.
type batcher struct {
	mu    sync.Mutex
	timer *time.Timer
	stop  chan struct{}
}

var timerPool sync.Pool

func acquireTimer(d time.Duration) *time.Timer {
	if t, ok := timerPool.Get().(*time.Timer); ok {
		t.Reset(d)
		return t
	}
	return time.NewTimer(d)
}

func (b *batcher) arm(d time.Duration, flush func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		return
	}
	b.timer = acquireTimer(d)
	b.stop = make(chan struct{})
	go b.wait(b.timer, b.stop, flush)
}

func (b *batcher) wait(t *time.Timer, stop <-chan struct{}, flush func()) {
	select {
	case <-t.C:
		flush()
	case <-stop:
	}
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	timerPool.Put(t)
}

func (b *batcher) cancel() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer == nil {
		return
	}
	b.timer = nil
	close(b.stop)
}

// session keeps an AfterFunc timer under the same field name, and stops it.
type session struct {
	mu    sync.Mutex
	timer *time.Timer
}

func (s *session) expireAfter(d time.Duration, expire func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = time.AfterFunc(d, expire)
}

// Close stops the expiry.
func (s *session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
}
