// Package supervisor keeps n tunnels up: its run loop restarts the waiting ones when the
// backoff fires, each on a goroutine that lives as long as its tunnel. The loop dispatches
// events (errors, backoff, shutdown), and the tunnels are as many as configured: a
// semaphore acquired in its backoff case would stall the loop once every slot held a live
// tunnel. Not reported.
package supervisor

import (
	"context"
	"time"
)

// Supervisor keeps tunnels up.
type Supervisor struct {
	serve func(ctx context.Context, i int) error
	errs  chan int
}

// Run starts n tunnels and restarts each one that fails, until ctx ends.
func Run(ctx context.Context, n int, serve func(ctx context.Context, i int) error) error {
	s := &Supervisor{serve: serve, errs: make(chan int, n)}
	return s.run(ctx, n)
}

func (s *Supervisor) run(ctx context.Context, n int) error {
	var waiting []int
	for i := 0; i < n; i++ {
		waiting = append(waiting, i)
	}
	backoff := time.After(0)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case i := <-s.errs:
			waiting = append(waiting, i)
			if backoff == nil {
				backoff = time.After(10 * time.Millisecond)
			}
		case <-backoff:
			backoff = nil
			for _, i := range waiting {
				go s.startTunnel(ctx, i)
			}
			waiting = nil
		}
	}
}

func (s *Supervisor) startTunnel(ctx context.Context, i int) {
	if s.serve(ctx, i) != nil {
		s.errs <- i
	}
}
