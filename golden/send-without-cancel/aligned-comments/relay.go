// Package relay sends where ctx could end the goroutine. The send in Relay has a comment
// gofmt aligns with its neighbours': the select would make gofmt move them, so it is left
// to a person. Forward's comment stands alone and moves onto the select's case.
package relay

import (
	"context"
	"sync/atomic"
)

// Relay doubles each value and hands it on.
func Relay(ctx context.Context, in []int, out chan<- int, sent, last *atomic.Int64) {
	go func() {
		for _, v := range in {
			w := v * 2                  // doubled
			out <- w                    // want "send on out blocks forever once its receiver is gone, although ctx could end the goroutine"
			sent.Add(1)                 // counted
			last.Store(int64(w) + 1000) // remembered
		}
	}()
}

// Forward hands each value on.
func Forward(ctx context.Context, in []int, out chan<- int) {
	go func() {
		for _, v := range in {
			w := v * 2

			out <- w // want "send on out blocks forever once its receiver is gone, although ctx could end the goroutine"
		}
	}()
}
