package safe

import "context"

// Emitter runs the requests it is sent one at a time (k6's event emitter).
type Emitter struct {
	ctx  context.Context
	reqs chan func() chan struct{}
}

// NewEmitter starts the loop that serves the emitter's requests until ctx ends.
func NewEmitter(ctx context.Context) *Emitter {
	e := &Emitter{ctx: ctx, reqs: make(chan func() chan struct{})}
	go e.loop(ctx)
	return e
}

// loop runs each request, then answers on the channel the request returned: the requester
// that handed it over waits for that answer bare, so the send is no finding.
func (e *Emitter) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case fn := <-e.reqs:
			done := fn()
			done <- struct{}{}
		}
	}
}

// Sync runs f on the emitter's loop and waits until it ran.
func (e *Emitter) Sync(f func()) {
	done := make(chan struct{})
	select {
	case <-e.ctx.Done():
		return
	case e.reqs <- func() chan struct{} { f(); return done }:
	}
	<-done
}
