package periodic

import (
	"context"
	"testing"
	"time"
)

// Checks that hang must not stop the loop: it keeps ticking past any default bound.
func TestTheLoopKeepsTickingWhileChecksHang(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stuck := make(chan struct{})
	defer close(stuck)
	m := &Monitor{Ticks: make(chan int), check: func() { <-stuck }}
	go m.Run(ctx, time.Millisecond)
	deadline := time.After(5 * time.Second)
	for seen := 0; seen < 25; seen++ {
		select {
		case <-m.Ticks:
		case <-deadline:
			t.Fatalf("Run stalled after %d ticks", seen)
		}
	}
	tk := time.NewTicker(time.Millisecond)
	defer tk.Stop()
	seen := make(chan struct{})
	go Poll(tk, func() { <-stuck }, seen)
	for i := 0; i < 25; i++ {
		select {
		case <-seen:
		case <-deadline:
			t.Fatalf("Poll stalled after %d ticks", i)
		}
	}
}

// Cleanups that hang must not stop the heartbeat: it beats on past any default bound.
func TestTheHeartbeatBeatsWhileCleanupsHang(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stuck := make(chan struct{})
	defer close(stuck)
	beats := make(chan struct{})
	go Heartbeat(ctx, time.Millisecond, func() { beats <- struct{}{} }, func() bool { return true }, func() { <-stuck })
	deadline := time.After(5 * time.Second)
	for seen := 0; seen < 25; seen++ {
		select {
		case <-beats:
		case <-deadline:
			t.Fatalf("Heartbeat stalled after %d beats", seen)
		}
	}
}
