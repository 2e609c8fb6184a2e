package cache

import (
	"errors"
	"sync"
)

var errClosed = errors.New("cache closed")

// Cache maps keys to values.
type Cache struct {
	mu     sync.Mutex
	m      map[string]int
	closed bool
}

// Set panics on a negative value while holding the lock: a recover upstream would keep it
// locked, which no unlock before the returns covers.
func (c *Cache) Set(k string, v int) error {
	c.mu.Lock() // want "c.mu.Lock\\(\\) is not matched by c.mu.Unlock\\(\\) on every path: the return at line 25"
	if v < 0 {
		panic("negative value")
	}
	if c.closed {
		return errClosed
	}
	c.m[k] = v
	c.mu.Unlock()
	return nil
}

// Load goes back to retry while holding the lock.
func (c *Cache) Load(k string) (int, error) {
	c.mu.Lock() // want "c.mu.Lock\\(\\) is not matched by c.mu.Unlock\\(\\) on every path: the return at line 43"
	tries := 0
retry:
	v, ok := c.m[k]
	if !ok && tries < 3 {
		tries++
		goto retry
	}
	if !ok {
		return 0, errClosed
	}
	c.mu.Unlock()
	return v, nil
}

// Forward goes round the loop holding the lock when the cache is closed, after an if with
// no else: there is no single statement to unlock after.
func (c *Cache) Forward(in chan string, out chan int) {
	for k := range in {
		c.mu.Lock() // want "c.mu.Lock\\(\\) is not matched by c.mu.Unlock\\(\\) on every path: the way round the loop at line 54 comes back to it with it held"
		if !c.closed {
			v := c.m[k]
			c.mu.Unlock()
			out <- v
		}
	}
}
