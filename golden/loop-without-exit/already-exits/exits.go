package exits

import (
	"context"
	"time"
)

// Loop already returns on ctx.Done.
func Loop(ctx context.Context, in <-chan int, use func(int)) {
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case v := <-in:
				use(v)
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Closed: the loop ends when in is closed.
func Closed(ctx context.Context, in <-chan int, use func(int)) {
	go func() {
	loop:
		for {
			select {
			case v, ok := <-in:
				if !ok {
					break loop
				}
				use(v)
			}
		}
	}()
}

// Ticks checks ctx on every tick.
func Ticks(ctx context.Context, t *time.Ticker, f func()) {
	go func() {
		for range t.C {
			if ctx.Err() != nil {
				return
			}
			f()
		}
	}()
}

// Bounded: a loop with a condition, and a range over a channel that gets closed.
func Bounded(ctx context.Context, in <-chan int, f func(int)) {
	go func() {
		for i := 0; i < 3; i++ {
			select {
			case v := <-in:
				f(v)
			}
		}
		for v := range in {
			f(v)
		}
	}()
}

// Sync runs in the caller's goroutine: the caller sees the loop.
func Sync(ctx context.Context, t *time.Ticker, f func()) {
	for range t.C {
		f()
	}
}

// Stream waits for the connection before it sends: `connected` is cancelled when the peer
// connects (pion-webrtc's examples), so in the loop it is always done. It is an event that
// happened, not a stop, and a case on it would end the loop before the first frame.
func Stream(connected context.Context, send func()) {
	go func() {
		<-connected.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for range t.C {
			send()
		}
	}()
}
