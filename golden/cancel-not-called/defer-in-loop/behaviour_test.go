package ping

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPingStillCounts(t *testing.T) {
	within(t, 5*time.Second, func() {
		ping := func(ctx context.Context, h string) error {
			if ctx.Err() != nil {
				t.Errorf("%s: ping got a cancelled context", h)
			}
			if h == "down" {
				return errors.New("down")
			}
			return nil
		}
		hosts := []string{"a", "down", "b"}
		if up := PingAll(context.Background(), hosts, ping); up != 2 {
			t.Errorf("PingAll = %d, want 2", up)
		}
		if h, err := First(context.Background(), []string{"down", "b"}, ping); h != "b" || err != nil {
			t.Errorf("First = %q, %v", h, err)
		}
		if _, err := First(context.Background(), []string{"down"}, ping); err == nil {
			t.Errorf("First found a host among hosts that are all down")
		}
	})
}
