package safe

import (
	"sync"
	"time"
)

// Watchdog keeps its timer in a field that Stop stops.
type Watchdog struct {
	mu    sync.Mutex
	t     *time.Timer
	bark  func()
	timer map[string]*time.Timer
}

// Arm arms the watchdog unless it is armed already.
func (w *Watchdog) Arm(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.t == nil {
		w.t = time.AfterFunc(d, w.fired)
	}
}

// fired runs when the timer fires: it clears the field, nothing is left to stop.
func (w *Watchdog) fired() {
	w.mu.Lock()
	w.t = nil
	w.mu.Unlock()
	w.bark()
}

// Stop stops the timer before it forgets it.
func (w *Watchdog) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.t != nil {
		w.t.Stop()
	}
	w.t = nil
}

// Later schedules a call for key; the callback deletes its own entry, having fired.
func (w *Watchdog) Later(key string, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer[key] = time.AfterFunc(d, func() {
		w.mu.Lock()
		delete(w.timer, key)
		w.mu.Unlock()
	})
}

// Cancel stops the entry's timer first.
func (w *Watchdog) Cancel(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.timer[key]; ok {
		t.Stop()
	}
	delete(w.timer, key)
}

// Remind runs f after d whatever happens: a timer that is never stopped is meant to fire.
func Remind(d time.Duration, f func()) {
	t := time.AfterFunc(d, f)
	_ = t
	time.AfterFunc(d, f)
}

// Guard stops its timer on every path.
func Guard(d time.Duration, f func(), work func() error) error {
	t := time.AfterFunc(d, f)
	defer t.Stop()
	return work()
}

// Probe starts a delayed check whose callback closes done; in verbose mode the check must
// run, so the timer is left armed and done handed out: the caller waits on it. Stopping the
// timer on that return would leave the caller waiting for good.
func Probe(d time.Duration, verbose bool, check func()) (<-chan struct{}, func()) {
	done := make(chan struct{})
	t := time.AfterFunc(d, func() {
		defer close(done)
		check()
	})
	if verbose {
		return done, func() {}
	}
	return done, func() {
		if t.Stop() {
			close(done)
		}
	}
}

// Stagger arms one dial per address, each after its own delay, and waits for the first
// result: every timer is meant to outlive its iteration, and all are stopped as it returns.
func Stagger(addrs []string, step time.Duration, dial func(string), first <-chan string) string {
	for i, addr := range addrs {
		t := time.AfterFunc(time.Duration(i)*step, func() { dial(addr) })
		defer t.Stop()
	}
	return <-first
}
