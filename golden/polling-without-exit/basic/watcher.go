package watcher

import (
	"sync/atomic"
	"time"
)

// Watcher checks something every period until it is stopped.
type Watcher struct {
	period time.Duration
	quit   chan struct{}
	checks atomic.Int64
}

func (w *Watcher) poll() {
	for { // want "this polling loop never ends, although w.quit could stop it: the goroutine sleeps and works until the process exits"
		w.checks.Add(1)
		time.Sleep(w.period)
	}
}
