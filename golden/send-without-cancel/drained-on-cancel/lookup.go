// Package drained runs lookups whose queries report on a channel of the lookup.
package drained

import "context"

const alpha = 3

// Lookup keeps at most alpha queries in flight. On cancel, Advance drains one reply per
// query it started (shutdown), so every query is owed its send: not reported
// (go-ethereum's p2p/discover lookup; a select on cancelCh would hang shutdown).
type Lookup struct {
	replyCh  chan int
	cancelCh <-chan struct{}
	queries  int
	ask      func(int) int
}

// NewLookup makes a lookup that stops when ctx ends.
func NewLookup(ctx context.Context, ask func(int) int) *Lookup {
	return &Lookup{replyCh: make(chan int), cancelCh: ctx.Done(), ask: ask}
}

func (it *Lookup) start(n int) {
	for i := 0; i < n && it.queries < alpha; i++ {
		it.queries++
		go it.query(i, it.replyCh)
	}
}

func (it *Lookup) query(n int, reply chan<- int) {
	reply <- it.ask(n)
}

// Advance starts up to n queries and returns the next reply; false once cancelled.
func (it *Lookup) Advance(n int) (int, bool) {
	it.start(n)
	for it.queries > 0 {
		select {
		case r := <-it.replyCh:
			it.queries--
			return r, true
		case <-it.cancelCh:
			it.shutdown()
			return 0, false
		}
	}
	return 0, false
}

func (it *Lookup) shutdown() {
	for it.queries > 0 {
		<-it.replyCh
		it.queries--
	}
}

// Walk drains in its own case on the signal: not reported either.
type Walk struct {
	replyCh  chan int
	cancelCh <-chan struct{}
	queries  int
}

// NewWalk makes a walk that stops when ctx ends.
func NewWalk(ctx context.Context) *Walk {
	return &Walk{replyCh: make(chan int), cancelCh: ctx.Done()}
}

// Step starts n steps and returns the first reply; false once cancelled.
func (w *Walk) Step(n int) (int, bool) {
	for i := 0; i < n; i++ {
		w.queries++
		go w.visit(i, w.replyCh)
	}
	for w.queries > 0 {
		select {
		case r := <-w.replyCh:
			w.queries--
			return r, true
		case <-w.cancelCh:
			for w.queries > 0 {
				<-w.replyCh
				w.queries--
			}
			return 0, false
		}
	}
	return 0, false
}

func (w *Walk) visit(n int, reply chan<- int) {
	reply <- n
}

// Search gives its queries up on cancel: nobody takes their replies any more, so
// each query must watch cancelCh too.
type Search struct {
	replyCh  chan int
	cancelCh <-chan struct{}
	queries  int
	ask      func(int) int
}

// NewSearch makes a search that stops when ctx ends.
func NewSearch(ctx context.Context, ask func(int) int) *Search {
	return &Search{replyCh: make(chan int), cancelCh: ctx.Done(), ask: ask}
}

func (s *Search) start(n int) {
	for i := 0; i < n; i++ {
		s.queries++
		go s.query(i, s.replyCh)
	}
}

func (s *Search) query(n int, reply chan<- int) {
	reply <- s.ask(n) // want "send on reply blocks forever .* s.cancelCh could end"
}

// Advance starts n queries and returns the next reply; false once cancelled.
func (s *Search) Advance(n int) (int, bool) {
	s.start(n)
	for s.queries > 0 {
		select {
		case r := <-s.replyCh:
			s.queries--
			return r, true
		case <-s.cancelCh:
			return 0, false
		}
	}
	return 0, false
}
