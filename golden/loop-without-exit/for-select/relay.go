package relay

import (
	"context"
	"time"
)

// Relay forwards values from in to sink and reports a heartbeat on every tick.
func Relay(ctx context.Context, in <-chan int, sink func(int), beat func()) {
	go func() {
		tk := time.NewTicker(10 * time.Millisecond)
		for { // want "select loop has no way out and never watches ctx"
			select {
			case v := <-in:
				sink(v)
			case <-tk.C:
				beat()
			}
		}
	}()
}

// Pump drains a queue until its owner is stopped.
type Pump struct {
	stop  chan struct{}
	queue chan string
	seen  func(string)
}

func (p *Pump) Start() {
	go p.run()
}

func (p *Pump) run() {
	for { // want "select loop has no way out and never watches p.stop"
		select {
		case s := <-p.queue:
			p.seen(s)
		}
	}
}
