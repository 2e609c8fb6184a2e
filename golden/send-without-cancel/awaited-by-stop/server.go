// Package server runs servers whose goroutine reports how serving ended.
package server

import (
	"context"
	"net"
	"time"
)

// Server serves a listener until Cleanup.
type Server struct {
	ln       net.Listener
	srvErrCh chan error
}

func serve(ctx context.Context, ln net.Listener) error {
	<-ctx.Done()
	return ln.Close()
}

// Run starts serving. Cleanup always receives the result: not reported.
func (s *Server) Run(ctx context.Context) {
	go func() {
		s.srvErrCh <- serve(ctx, s.ln)
	}()
}

// Cleanup waits for the serving goroutine's result.
func (s *Server) Cleanup() error {
	return <-s.srvErrCh
}

// Probe reports the same way, but its only reader may give up on a timeout.
type Probe struct {
	ln      net.Listener
	results chan error
}

// Run starts probing.
func (p *Probe) Run(ctx context.Context) {
	go func() {
		p.results <- serve(ctx, p.ln) // want "this send on p.results blocks forever once its receiver is gone"
	}()
}

// Wait gives up after a second.
func (p *Probe) Wait() error {
	select {
	case err := <-p.results:
		return err
	case <-time.After(time.Second):
		return nil
	}
}

// Collector stops once, waiting for its result inside the Once.
type Collector struct {
	ln       net.Listener
	srvErrCh chan error
}

// Run starts serving: not reported, Cleanup's closure receives the result.
func (c *Collector) Run(ctx context.Context) {
	go func() {
		c.srvErrCh <- serve(ctx, c.ln)
	}()
}

// Cleanup waits for the result in a closure it runs.
func (c *Collector) Cleanup() {
	func() {
		<-c.srvErrCh
	}()
}
