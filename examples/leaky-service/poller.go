package service

import (
	"context"
	"log"
	"time"
)

// Poller runs a health check at a fixed interval.
type Poller struct {
	Check    func(ctx context.Context) error
	Interval time.Duration
}

// Run checks every Interval until ctx is done, logging failures.
func (p *Poller) Run(ctx context.Context) {
	t := time.NewTicker(p.Interval)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := p.Check(ctx); err != nil {
				log.Printf("health check: %v", err)
			}
		}
	}
}

// Watch logs each event received on events, and a warning whenever none has come for
// Interval, until events is closed.
func (p *Poller) Watch(events <-chan string) {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			log.Printf("event: %s", ev)
		case <-time.After(p.Interval):
			log.Printf("no event for %v", p.Interval)
		}
	}
}

// WaitHealthy checks until one check passes, giving up after attempts tries.
func (p *Poller) WaitHealthy(ctx context.Context, attempts int) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = p.Check(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.Interval):
		}
	}
	return err
}
