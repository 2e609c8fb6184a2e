package cache

import (
	"sync"
	"time"
)

// Cache drops entries a while after they are written.
type Cache struct {
	mu    sync.Mutex
	items map[string]string
	sweep *time.Timer
}

// Put schedules the entry's removal and keeps no handle on it: Close cannot cancel it.
func (c *Cache) Put(k, v string, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items[k] = v
	time.AfterFunc(ttl, func() { c.remove(k) }) // want "the timer of time.AfterFunc is discarded: Cache.Close cannot stop it, and its callback runs on c after Close"
}

func (c *Cache) remove(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
}

// Sweep arms the periodic sweep, which Close leaves running: Close returns early.
func (c *Cache) Sweep(every time.Duration) {
	c.sweep = time.AfterFunc(every, func() { c.Sweep(every) }) // want "timer c.sweep from time.AfterFunc is never stopped"
}

// Close empties the cache.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		return nil
	}
	c.items = nil
	return nil
}
