package query

import (
	"context"
	"errors"
	"testing"
	"time"
)

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
