// Package pusher pushes metrics for the life of the process: the first Register starts the
// one pusher loop inside a package-level once.Do, so it cannot pile up and needs no stop
// (juicefs' libjfs); it is no finding.
package pusher

import (
	"sync"
	"time"
)

var (
	pushOnce sync.Once
	mu       sync.Mutex
	pushers  []func()
)

// Register adds a pusher; the loop that runs them all starts once.
func Register(every time.Duration, push func()) {
	mu.Lock()
	pushers = append(pushers, push)
	mu.Unlock()
	pushOnce.Do(func() {
		go func() {
			for range time.NewTicker(every).C {
				mu.Lock()
				for _, p := range pushers {
					p()
				}
				mu.Unlock()
			}
		}()
	})
}

// Client starts one loop per client: a sync.Once field runs once per value, and clients
// come and go.
type Client struct {
	once sync.Once
}

func (c *Client) Start(every time.Duration, push func()) {
	c.once.Do(func() {
		go func() {
			for range time.NewTicker(every).C { // want "ranging over .* never ends"
				push()
			}
		}()
	})
}
