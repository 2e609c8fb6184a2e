package cache

import "sync"

// Cache maps keys to values.
type Cache struct {
	mu sync.RWMutex
	m  map[string]string
}

// New returns an empty cache.
func New() *Cache {
	return &Cache{m: map[string]string{}}
}

// Get returns the value of k.
func (c *Cache) Get(k string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

// Set stores v under k and returns the value it replaced.
func (c *Cache) Set(k, v string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, _ := c.Get(k) // want "Set holds c.mu \\(c.mu.Lock\\(\\) at line 26\\) and calls c.Get, which takes it again \\(RLock\\(\\) at cache.go:18\\): Go mutexes are not reentrant"
	c.m[k] = v
	return old
}

// Pair reads two keys at once.
func (c *Cache) Pair(a, b string) (string, string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	x, _ := c.Get(a) // want "Pair holds c.mu \\(c.mu.RLock\\(\\) at line 35\\) and calls c.Get, which takes it again \\(RLock\\(\\) at cache.go:18\\): a second read lock by the same goroutine waits forever once a writer queues"
	return x, c.m[b]
}
