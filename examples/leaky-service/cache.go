package service

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"
)

// Cache holds the values Load returns, reloaded on demand or in the background.
type Cache struct {
	Load    func() (map[string]string, error)
	Timeout time.Duration

	mu     sync.Mutex
	values map[string]string
}

// Get returns the cached value for key.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.values[key]
	return v, ok
}

// Refresh reloads the cache, giving up when Load takes longer than Timeout.
func (c *Cache) Refresh() error {
	done := make(chan error)
	go func() {
		values, err := c.Load()
		if err == nil {
			c.mu.Lock()
			c.values = values
			c.mu.Unlock()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(c.Timeout):
		return errors.New("cache refresh timed out")
	}
}

// StartRefresh reloads the cache every interval in the background.
func (c *Cache) StartRefresh(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	go func() {
		for range t.C {
			if err := c.Refresh(); err != nil {
				log.Printf("cache refresh: %v", err)
			}
		}
	}()
}
