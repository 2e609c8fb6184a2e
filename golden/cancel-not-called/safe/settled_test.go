package safe

import (
	"context"
	"testing"
	"time"
)

func receive(ctx context.Context, ch <-chan int) (int, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// TestNothingArrives goes on to the next pass only once the context expired (which released
// it) or the test has already failed: no passing run keeps a context per pass.
func TestNothingArrives(t *testing.T) {
	ch := make(chan int)
	for i := 0; i < 3; i++ {
		sCtx, sCancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer sCancel()
		if _, err := receive(sCtx, ch); err != context.DeadlineExceeded {
			t.Errorf("pass %d: a value arrived", i)
		}
	}
}
