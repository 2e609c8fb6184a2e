package safe

import (
	"sync"
	"time"
)

// Watcher debounces events per name: the timer's own callback deletes its entry, so the
// timer there has fired (navidrome's plugin watcher). Stopping the entry instead would
// cancel a newer timer armed in between, and its event with it.
type Watcher struct {
	mu     sync.Mutex
	timers map[string]*time.Timer
	seen   func(string)
}

// Event re-arms the name's timer.
func (w *Watcher) Event(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.timers[name]; ok {
		t.Stop()
	}
	w.timers[name] = time.AfterFunc(10*time.Millisecond, func() {
		w.process(name)
	})
}

func (w *Watcher) process(name string) {
	w.mu.Lock()
	delete(w.timers, name)
	w.mu.Unlock()
	w.seen(name)
}
