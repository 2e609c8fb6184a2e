package open

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

func TestOpen(t *testing.T) {
	within(t, 5*time.Second, func() {
		var seen context.Context
		dial := func(ctx context.Context) (string, error) {
			seen = ctx
			return "s1", ctx.Err()
		}
		if s, err := Open(context.Background(), dial); err != nil || s.id != "s1" {
			t.Errorf("Open = %v, %v", s, err)
		}
		if seen.Err() == nil {
			t.Log("the context outlives Open (the leak)")
		}
		fail := func(context.Context) (string, error) { return "", errors.New("refused") }
		if _, err := Open(context.Background(), fail); err == nil {
			t.Errorf("Open succeeded on a refused dial")
		}
	})
}
