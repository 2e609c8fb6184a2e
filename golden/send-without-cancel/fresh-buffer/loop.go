// Package fresh hands each batch to an applier with a channel made for that batch (etcd's
// raft loop: a notifyc of capacity 1 per Ready).
package fresh

import "context"

type batch struct {
	items   []string
	applied chan struct{}   // the applier waits on it; nothing but the loop sends on it
	done    <-chan struct{} // handed on, but receive-only: no one can send through it
	again   chan struct{}   // retry sends on it too
}

type node struct {
	batches chan batch
	applyc  chan batch
}

// Run makes one channel per batch: its first send finds the buffer empty and cannot
// block, so it is not reported; a second send in the same pass may find it full.
func (n *node) Run(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-n.batches:
				applied := make(chan struct{}, 1)
				done := make(chan struct{}, 1)
				again := make(chan struct{}, 1)
				n.apply(ctx, batch{items: b.items, applied: applied, done: done, again: again})
				applied <- struct{}{}
				done <- struct{}{}
				if len(b.items) > 1 {
					applied <- struct{}{} // want "send on applied blocks forever"
				}
				again <- struct{}{} // want "send on again blocks forever"
			}
		}
	}()
}

func (n *node) apply(ctx context.Context, b batch) {
	select {
	case n.applyc <- b:
	case <-ctx.Done():
	}
}

// retry sends on a batch's again channel: the loop's send on it may find the buffer full.
func retry(b batch) {
	b.again <- struct{}{}
}

func wait(done <-chan struct{}) { <-done }

// Applier waits for each batch's signal.
func (n *node) Applier(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-n.applyc:
			<-b.applied
			wait(b.done)
			retry(b)
		}
	}
}
