package waits

import (
	"context"
	"testing"
	"time"
)

// Group's Start returns once every work reported ready, even when its ctx ended first;
// a report that left on the group's ctx would hang it.
func TestNoHang(t *testing.T) {
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		g := NewGroup()
		works := []func(context.Context){func(context.Context) {}, func(context.Context) {}}
		done := make(chan struct{})
		go func() {
			g.Start(ctx, works)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Start hangs")
		}
		g.Stop()
	}
}
