package debounce

import (
	"sync"
	"time"
)

// Debouncer calls fire once things have been quiet for wait.
type Debouncer struct {
	mu      sync.Mutex
	t       *time.Timer
	wait    time.Duration
	fire    func()
	pending int
}

// Trigger restarts the quiet period; the timer it replaces still fires.
func (d *Debouncer) Trigger() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.t != nil {
		d.pending++
	}
	d.t = time.AfterFunc(d.wait, d.fire) // want "d.t is given a new time.AfterFunc timer while it may hold one that was not stopped"
}

// Stop cancels a pending call.
func (d *Debouncer) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.t != nil {
		d.t.Stop()
	}
}

// Forget drops a pending call's timer without stopping it: the call still happens.
func (d *Debouncer) Forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.t != nil {
		d.pending = 0
		d.t = nil // want "d.t = nil drops a time.AfterFunc timer without stopping it: its callback still runs"
	}
}
