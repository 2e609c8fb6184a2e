package watch

import (
	"context"
	"time"
)

// Watch hands every event to handle until ctx is done.
func Watch(ctx context.Context, events <-chan string, handle func(string)) {
	go func() {
		for {
			select {
			case e := <-events:
				handle(e)
			case <-ctx.Done():
				break // want "this break on <-ctx.Done\\(\\) leaves only the select, not the for loop around it"
			}
		}
	}()
}

// Poller calls poll on every tick until Stop.
type Poller struct {
	stop chan struct{}
	poll func()
}

func NewPoller(d time.Duration, poll func()) *Poller {
	p := &Poller{stop: make(chan struct{}), poll: poll}
	go func() {
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.poll()
			case <-p.stop:
				break // want "this break on <-p.stop leaves only the select"
			}
		}
	}()
	return p
}

// Stop tells the poller to stop (a message: the poller is its only receiver).
func (p *Poller) Stop() { p.stop <- struct{}{} }

// Drain hands every value of in to sink until in is closed.
func Drain(in <-chan int, sink func(int)) {
	go func() {
		for {
			select {
			case v, ok := <-in:
				if !ok {
					break // want "this break on a closed in leaves only the select"
				}
				sink(v)
			}
		}
	}()
}
