package supervisor

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// Twelve tunnels stay up at once, and Run still returns when its context ends.
func TestTwelveTunnels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var up atomic.Int32
	done := make(chan error)
	go func() {
		done <- Run(ctx, 12, func(ctx context.Context, i int) error {
			up.Add(1)
			<-ctx.Done()
			return nil
		})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for up.Load() < 12 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := up.Load(); n != 12 {
		t.Fatalf("%d tunnels up, want 12", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
