package worker

import (
	"context"
	"testing"
	"time"
)

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
