// Package cluster keeps its subscriptions in sync on a ticker. Its ctx field is made
// afresh for each operation (Open, Update), which cancels the last one as it returns: it is
// no signal for the sync loop, which would stop as soon as Open returned, reading the field
// without the lock its writer holds. Reported without a fix.
package cluster

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Cluster syncs its subscriptions every interval.
type Cluster struct {
	ctxMu    sync.Mutex
	ctx      context.Context
	cancel   context.CancelFunc
	interval time.Duration
	Synced   atomic.Int64
}

func (c *Cluster) setupContext() (context.Context, context.CancelFunc) {
	c.ctxMu.Lock()
	defer c.ctxMu.Unlock()
	if c.ctx != nil {
		c.cancel()
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c.ctx, c.cancel
}

// Open starts syncing; its own context ends when it returns.
func (c *Cluster) Open() {
	_, cancel := c.setupContext()
	defer cancel()
	c.watch()
}

// Update re-reads the configuration under a context of its own.
func (c *Cluster) Update() {
	_, cancel := c.setupContext()
	defer cancel()
}

func (c *Cluster) watch() {
	ticker := time.NewTicker(c.interval)
	go func() {
		for range ticker.C { // want "ranging over ticker.C never ends"
			c.Synced.Add(1)
		}
	}()
}
