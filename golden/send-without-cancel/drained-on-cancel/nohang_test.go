package drained

import (
	"context"
	"testing"
	"time"
)

// Cancelled with queries in flight, Lookup and Walk take every reply they are owed and
// come back: a query that left on cancelCh instead would hang them.
func TestNoHang(t *testing.T) {
	for i := 0; i < 50; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		it := NewLookup(ctx, func(n int) int { time.Sleep(time.Millisecond); return n })
		w := NewWalk(ctx)
		cancel()
		done := make(chan struct{})
		go func() {
			it.Advance(3)
			w.Step(3)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Advance or Step hangs after cancel")
		}
	}
}
