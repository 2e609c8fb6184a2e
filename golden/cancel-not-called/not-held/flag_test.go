package notheld

import (
	"context"
	"testing"
	"time"
)

// A caller whose context has a deadline already gets no cancel func: an unconditional
// `defer cancel()` would panic on nil when CallTraced returns.
func TestCallTracedWithDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, traced := range []bool{false, true} {
		if err := CallTraced(ctx, traced, func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
}
