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
