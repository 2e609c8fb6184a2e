package query

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

func TestQueryKeepsItsResults(t *testing.T) {
	within(t, 5*time.Second, func() {
		live := func(ctx context.Context) error { return ctx.Err() }
		if err := Query(context.Background(), time.Minute, live); err != nil {
			t.Errorf("Query with a deadline: %v", err)
		}
		if err := Query(context.Background(), 0, live); err != nil {
			t.Errorf("Query without a deadline: %v", err)
		}
		boom := errors.New("boom")
		if err := Query(context.Background(), time.Minute, func(context.Context) error { return boom }); err != boom {
			t.Errorf("Query = %v, want boom", err)
		}
		if err := Either(context.Background(), 0, live); err != nil {
			t.Errorf("Either: %v", err)
		}
	})
}
