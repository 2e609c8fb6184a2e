package notreported

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Watcher's stop is called: Close names it.
type Watcher struct {
	quit chan struct{}
}

func NewWatcher() *Watcher {
	w := &Watcher{quit: make(chan struct{})}
	go w.loop()
	return w
}

func (w *Watcher) loop() {
	for {
		select {
		case <-w.quit:
			return
		case <-time.After(time.Second):
		}
	}
}

func (w *Watcher) stop() { close(w.quit) }

func (w *Watcher) Close() error {
	w.stop()
	return nil
}

// Injected's stop channel comes from outside: whoever injects it closes it.
type Injected struct {
	stop <-chan struct{}
}

func (i *Injected) Inject(stop <-chan struct{}) { i.stop = stop }

func (i *Injected) Start() {
	go i.run()
}

func (i *Injected) run() {
	for {
		select {
		case <-i.stop:
			return
		case <-time.After(time.Second):
		}
	}
}

// Exported's stop method is exported: another package may call it.
type Exported struct {
	quit chan struct{}
}

func NewExported() *Exported {
	e := &Exported{quit: make(chan struct{})}
	go e.run()
	return e
}

func (e *Exported) run() {
	for {
		select {
		case <-e.quit:
			return
		case <-time.After(time.Second):
		}
	}
}

func (e *Exported) Stop() { close(e.quit) }

// Forever has no stop method: nothing promised to end it (loop-without-exit's ground).
type Forever struct{ n int }

func (f *Forever) Start() {
	go func() {
		for range time.Tick(time.Second) {
			f.n++
		}
	}()
}

// Deferred's stop runs through a method value handed on.
type Deferred struct {
	quit  chan struct{}
	hooks []func()
}

func NewDeferred() *Deferred {
	d := &Deferred{quit: make(chan struct{})}
	d.hooks = append(d.hooks, d.shutdown)
	go d.run()
	return d
}

func (d *Deferred) run() {
	for {
		select {
		case <-d.quit:
			return
		case <-time.After(time.Second):
		}
	}
}

func (d *Deferred) shutdown() { close(d.quit) }

// Checker's ticker loop returns once its context is cancelled: Close may end it that way.
type Checker struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *Checker) Start() {
	go c.check()
}

func (c *Checker) check() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for range t.C {
		if c.ctx.Err() != nil {
			return
		}
	}
}

func (c *Checker) Close() error {
	c.cancel()
	return nil
}

// Kept keeps its server: Close shuts it down.
type Kept struct {
	servers []*http.Server
}

func (k *Kept) Run(addr string) error {
	s := &http.Server{Addr: addr}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	k.servers = append(k.servers, s)
	go s.Serve(ln)
	return nil
}

func (k *Kept) Close() error {
	for _, s := range k.servers {
		s.Close()
	}
	return nil
}

// Listener hands its listener to a closer: closing it ends Serve.
type Listener struct {
	closers []net.Listener
}

func (l *Listener) Run(addr string) error {
	s := &http.Server{Addr: addr}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	l.closers = append(l.closers, ln)
	go s.Serve(ln)
	return nil
}

func (l *Listener) Stop() {
	for _, ln := range l.closers {
		ln.Close()
	}
}
