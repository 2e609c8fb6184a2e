package watcher

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWatcherOwnsItsContext(t *testing.T) {
	within(t, 5*time.Second, func() {
		w, err := New(context.Background(), "w", func(ctx context.Context) error { return ctx.Err() })
		if err != nil {
			t.Errorf("New: %v", err)
			return
		}
		if w.ctx.Err() != nil {
			t.Errorf("the watcher's context is cancelled before Close")
		}
		w.Close()
		if w.ctx.Err() == nil {
			t.Errorf("Close did not cancel the watcher's context")
		}
		if _, err := New(context.Background(), "w", func(context.Context) error { return errors.New("x") }); err == nil {
			t.Errorf("New succeeded on a failed check")
		}
	})
}
