// Package oneatatime restarts a watch after each failure with one applier goroutine per
// restart: the loop waits for the watch to end and stops the applier before the next.
package oneatatime

import "sync"

type watcher struct{ ch chan int }

// Cache applies the events of a watch to a store.
type Cache struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	store []int
	feed  chan chan int
}

func (c *Cache) register() *watcher {
	w := &watcher{ch: make(chan int)}
	c.feed <- w.ch
	return w
}

func (c *Cache) unregister(w *watcher) { close(w.ch) }

func (c *Cache) apply(w *watcher) error {
	for v := range w.ch {
		c.mu.Lock()
		c.store = append(c.store, v)
		c.mu.Unlock()
	}
	return nil
}

// watchEvents waits until the applier fails or the watch ends.
func (c *Cache) watchEvents(applyErr <-chan error, ended <-chan error) error {
	select {
	case err := <-applyErr:
		return err
	case err := <-ended:
		return err
	}
}

// Watch keeps one applier alive per watch; the previous one is stopped (its channel
// closed) before the next starts.
func (c *Cache) Watch(ended <-chan error) error {
	for {
		w := c.register()
		applyErr := make(chan error, 1)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			if err := c.apply(w); err != nil {
				applyErr <- err
			}
			close(applyErr)
		}()
		err := c.watchEvents(applyErr, ended)
		c.unregister(w)
		if err != nil {
			return err
		}
	}
}

// Collect keeps every goroutine's done channel for later: the loop does not wait, and
// goroutines pile up for as long as the events keep coming.
func Collect(events <-chan int, work func(int)) []chan struct{} {
	var dones []chan struct{}
	for {
		ev, ok := <-events
		if !ok {
			return dones
		}
		done := make(chan struct{})
		go func() { // want "goroutine started in an endless loop"
			work(ev)
			close(done)
		}()
		dones = append(dones, done)
	}
}

// Listen starts one forwarder per run of the blocking listen, and a failed run skips the
// close that ends it: they pile up, and a semaphore would hang the loop once full.
func Listen(listen func(chan<- int) error, forward func(int)) {
	for {
		ch := make(chan int, 8)
		go func() { // want "goroutine started in an endless loop"
			for {
				select {
				case v, ok := <-ch:
					if !ok {
						return
					}
					forward(v)
				}
			}
		}()
		if err := listen(ch); err != nil {
			continue
		}
		close(ch)
	}
}

// Relay closes the channel on every run, so each forwarder ends before the next starts.
func Relay(listen func(chan<- int) error, forward func(int)) {
	for {
		ch := make(chan int, 8)
		go func() {
			for {
				v, ok := <-ch
				if !ok {
					return
				}
				forward(v)
			}
		}()
		_ = listen(ch)
		close(ch)
	}
}
