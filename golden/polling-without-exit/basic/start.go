package watcher

import "time"

// Start runs the watcher's polling in the background.
func Start(period time.Duration) *Watcher {
	w := &Watcher{period: period, quit: make(chan struct{})}
	go w.poll()
	return w
}

// Stop tells the watcher to stop.
func (w *Watcher) Stop() { close(w.quit) }
