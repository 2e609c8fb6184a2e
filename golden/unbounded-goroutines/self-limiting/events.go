// Package selflimiting launches goroutines only on short events that limit themselves:
// once after a recovery, once per stale node, one request per tick of a fixed-rate load
// generator. None piles up in a way a semaphore would help.
package selflimiting

import (
	"context"
	"sync"
	"time"
)

// Meta applies entries; once a recovery ends it checks its health, once.
type Meta struct {
	entries    chan int
	recovering bool
	applied    int
	check      func()
}

// Run is a run loop: the health check is launched once, when the recovery ends.
func (m *Meta) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-m.entries:
			was := m.recovering
			m.recovering = e < 0
			if was && !m.recovering {
				go m.check()
			}
			m.applied++
		}
	}
}

type node struct {
	mu      sync.Mutex
	latency time.Duration
	updated time.Time
}

func (n *node) probe() {
	n.mu.Lock()
	n.latency, n.updated = time.Millisecond, time.Now()
	n.mu.Unlock()
}

// Cluster probes the latency of a node only when its last probe is stale.
type Cluster struct{ nodes []*node }

// Refresh launches at most one probe per configured node per staleness period.
func (c *Cluster) Refresh(now time.Time) {
	for _, n := range c.nodes {
		n.mu.Lock()
		stale := now.Sub(n.updated) > time.Minute
		n.mu.Unlock()
		if stale {
			go n.probe()
		}
	}
}

// Load sends one request per tick, each bounded by its own deadline: piling up under
// overload is what a fixed-rate load generator is for, and a semaphore would silently
// lower the rate. Reported, never fixed: a periodic loop must keep its pace.
func Load(ctx context.Context, every time.Duration, call func(context.Context)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		go func() { // want "goroutine started on every tick of t.C"
			rctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			call(rctx)
		}()
		if ctx.Err() != nil {
			return
		}
	}
}
