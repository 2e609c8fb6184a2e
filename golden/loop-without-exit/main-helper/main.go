// Command daemon refreshes a cache on every tick from a goroutine that server starts, and
// only main calls server: it runs once per process and lives as long as it, with no context
// anywhere to stop it (the stupgrades shape), so it is no finding.
package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

type cache struct{ n atomic.Int64 }

func (c *cache) update(ctx context.Context) { c.n.Add(1) }

func server(every time.Duration) *cache {
	c := &cache{}
	go func() {
		for range time.NewTicker(every).C {
			c.update(context.Background())
		}
	}()
	return c
}

func main() {
	c := server(10 * time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	fmt.Println(c.n.Load() > 0)
}
