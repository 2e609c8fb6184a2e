package failover

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// limiter refills its tokens on a goroutine until Close sets its flag.
type limiter struct {
	tokens int64
	closed int32
}

func newLimiter() *limiter {
	l := &limiter{}
	go l.loop()
	return l
}

func (l *limiter) loop() {
	for {
		if l.isClosed() {
			return
		}
		atomic.AddInt64(&l.tokens, 1)
		time.Sleep(time.Millisecond)
	}
}

func (l *limiter) isClosed() bool { return atomic.LoadInt32(&l.closed) == 1 }

func (l *limiter) Close() error {
	atomic.StoreInt32(&l.closed, 1)
	return nil
}

// pool owns a limiter, and closes it.
type pool struct {
	rl *limiter
}

func newPool() *pool { return &pool{rl: newLimiter()} }

func (p *pool) Close() error { return p.rl.Close() }

type base struct {
	pool *pool
}

func (b *base) Close() error { return b.pool.Close() }

// Ping fails for the address "down".
func (b *base) Ping(addr string) error {
	if addr == "down" {
		return errors.New("unreachable")
	}
	return nil
}

// Client promotes base's Close.
type Client struct {
	*base
}

func newClient() *Client { return &Client{base: &base{pool: newPool()}} }

// Meter averages on a goroutine until Close closes its exit channel.
type Meter struct {
	name string
	exit chan struct{}
}

// NewMeter starts the averaging loop.
func NewMeter() *Meter {
	m := &Meter{exit: make(chan struct{})}
	go m.average()
	return m
}

// Named names the meter and returns it.
func (m *Meter) Named(name string) *Meter {
	m.name = name
	return m
}

func (m *Meter) average() {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-m.exit:
			return
		}
	}
}

// Close stops the averaging loop.
func (m *Meter) Close() error {
	close(m.exit)
	return nil
}

// watcher polls until Shutdown cancels its context: no plain Close or Stop.
type watcher struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newWatcher() *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{ctx: ctx, cancel: cancel}
	go w.poll()
	return w
}

func (w *watcher) poll() {
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// Shutdown stops polling once ctx allows.
func (w *watcher) Shutdown(ctx context.Context) error {
	w.cancel()
	return ctx.Err()
}

// ticker's loop ends on nothing its Close fires: not an owner this rule knows.
type ticker struct {
	stop chan struct{}
	done chan struct{}
}

func newTicker() *ticker {
	t := &ticker{stop: make(chan struct{}), done: make(chan struct{})}
	go t.run()
	return t
}

func (t *ticker) run() {
	for {
		select {
		case <-t.stop:
			return
		case <-time.After(time.Millisecond):
		}
	}
}

func (t *ticker) Close() error {
	close(t.done)
	return nil
}
