package each

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEachAndSkip(t *testing.T) {
	within(t, 5*time.Second, func() {
		check := func(ctx context.Context, h string) error {
			if ctx.Err() != nil {
				t.Errorf("%s: check got a cancelled context", h)
			}
			if h == "down" {
				return errors.New("down")
			}
			return nil
		}
		if err := Each(context.Background(), []string{"a", "b"}, check); err != nil {
			t.Errorf("Each: %v", err)
		}
		if err := Each(context.Background(), []string{"a", "down", "b"}, check); err == nil {
			t.Errorf("Each missed the host that is down")
		}
		if n := Skip(context.Background(), []string{"down", "a", "down"}, check); n != 2 {
			t.Errorf("Skip = %d, want 2", n)
		}
	})
}
