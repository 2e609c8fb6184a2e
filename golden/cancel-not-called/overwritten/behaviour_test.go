package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRetryStillRetries(t *testing.T) {
	within(t, 5*time.Second, func() {
		for _, f := range []func(context.Context, int, func(context.Context) error) error{Retry, Poll} {
			calls := 0
			thirdTime := func(ctx context.Context) error {
				calls++
				if ctx.Err() != nil {
					t.Errorf("attempt %d got a cancelled context", calls)
				}
				if calls < 3 {
					return errors.New("busy")
				}
				return nil
			}
			if err := f(context.Background(), 5, thirdTime); err != nil || calls != 3 {
				t.Errorf("got %v after %d calls, want success after 3", err, calls)
			}
			never := func(context.Context) error { return errors.New("busy") }
			if err := f(context.Background(), 3, never); err != errGaveUp {
				t.Errorf("got %v, want errGaveUp", err)
			}
		}
	})
}
