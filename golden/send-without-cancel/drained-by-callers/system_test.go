package drained

import (
	"context"
	"testing"
	"time"
)

// run's loop takes every event watch sends until ctx ends and watch closes the channel.
func TestRunDrains(t *testing.T) {
	within(t, 10*time.Second, func() {
		sys := &system{st: &store{poll: time.Millisecond}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ev := range sys.st.watch(ctx, "config") {
				if ev.n == 3 {
					cancel()
				}
			}
		}()
		<-done
	})
}
