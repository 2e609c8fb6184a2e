package report

import (
	"context"
	"sync"
	"time"
)

type Syncer struct {
	mu   sync.Mutex
	stop chan struct{}
	n    int
}

// Start syncs; its context only bounds the setup, not the loop's own lifetime.
func Start(work func()) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = ctx
	go func() {
		for { // want "this polling loop never ends, although ctx could stop it"
			work()
			time.Sleep(time.Millisecond)
		}
	}()
}

// run holds its lock across the sleep: a return there would keep it locked.
func (s *Syncer) run() {
	for { // want "this polling loop never ends, although s.stop could stop it"
		s.mu.Lock()
		time.Sleep(time.Millisecond)
		s.n++
		s.mu.Unlock()
	}
}

func (s *Syncer) Go() { go s.run() }

func (s *Syncer) Stop() { close(s.stop) }

// Refresh could stop on ctx, but its sleep's comment is aligned with the one above: the
// select would make gofmt move that comment, so the change is left to a person.
func Refresh(ctx context.Context, n *int) {
	go func() {
		for { // want "this polling loop never ends, although ctx could stop it"
			*n++                    // count the round
			time.Sleep(time.Second) // then wait
		}
	}()
}
