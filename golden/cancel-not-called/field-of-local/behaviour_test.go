package worker

import (
	"context"
	"testing"
	"time"
)

// within fails the test when f does not return within d: a fix must never make it hang.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not return within %v", d)
	}
}

func TestStartedWorkerLivesUntilStop(t *testing.T) {
	within(t, 5*time.Second, func() {
		w, err := Start(context.Background(), "w", func(ctx context.Context) error { return ctx.Err() })
		if err != nil {
			t.Errorf("Start: %v", err)
			return
		}
		if w.ctx.Err() != nil {
			t.Errorf("the worker's context is cancelled before Stop")
		}
		w.Stop()
		if w.ctx.Err() == nil {
			t.Errorf("Stop did not cancel the worker's context")
		}
	})
}
