package safe

import (
	"context"
	"time"
)

type entry struct {
	res chan int
}

// Serve answers each queued entry on the reply channel it carries: the entry is received
// into a variable declared before the loop (`case e = <-queue:`), and its sender waits for
// the reply unconditionally, so the reply send is no finding.
func Serve(ctx context.Context, queue <-chan entry) error {
	var e entry
	for {
		select {
		case e = <-queue:
		case <-ctx.Done():
			return ctx.Err()
		}
		e.res <- 1
	}
}

// Pace waits for a deadline made by time.After: it fires by itself.
func Pace(ctx context.Context, d time.Duration, work func()) {
	go func() {
		next := time.After(d)
		work()
		<-next
	}()
}

// Snapshots answers each request on the reply channel it receives itself (tailscale's
// eventbus, nomad's leader loop): whoever sent it waits for the reply, or made it with room.
func Snapshots(ctx context.Context, requests <-chan chan []int, state func() []int) {
	for {
		select {
		case reply := <-requests:
			reply <- state()
		case <-ctx.Done():
			return
		}
	}
}
