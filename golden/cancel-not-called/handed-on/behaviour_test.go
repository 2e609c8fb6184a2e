package watcher

import (
	"context"
	"errors"
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
