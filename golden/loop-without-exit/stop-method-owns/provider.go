package stopowns

import (
	"context"
	"time"
)

// Provider refreshes its TTL on every tick (protoactor-go's test provider): nothing is in
// scope to watch, and its Shutdown cannot end the loop. goroutine-outlives-stop reports
// the goroutine, naming Shutdown; this rule does not report the same loop again, nor plumb
// a ctx into a type whose stop method owns its lifetime.
type Provider struct {
	ticker  *time.Ticker
	refresh func()
}

func (p *Provider) startReport() {
	p.ticker = time.NewTicker(time.Second)
	go func() {
		for range p.ticker.C {
			p.refresh()
		}
	}()
}

func (p *Provider) Shutdown() error {
	p.ticker.Stop()
	return nil
}

// Start is the only caller of startReport; its ctx could be plumbed down.
func (p *Provider) Start(ctx context.Context) {
	p.startReport()
}

// Pinger's done channel is in scope, but Close does not close it: a case on it would never
// fire. goroutine-outlives-stop reports that Close cannot end the loop.
type Pinger struct {
	pings int
	done  chan struct{}
}

func (p *Pinger) Start() {
	go func() {
		for range time.Tick(time.Second) {
			p.pings++
		}
	}()
}

func (p *Pinger) Close() error {
	return nil
}
