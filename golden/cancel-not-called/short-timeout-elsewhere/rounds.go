package shorttimeout

import (
	"context"
	"time"
)

// A loop that goes round a fixed number of times makes that many contexts, each freed by its
// own timer within seconds: the deferred cancels keep nothing for long.

func ReceiveFive(receive func(context.Context) error) error {
	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := receive(ctx); err != nil {
			return err
		}
	}
	return nil
}

func TryEach(parent context.Context, hosts []string, dial func(context.Context, string) error) error {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, 3*time.Second)
		defer cancel()
		if dial(ctx, h) == nil {
			return nil
		}
	}
	return context.DeadlineExceeded
}

// ReceiveLong's contexts live ten seconds each, until it returns.
func ReceiveLong(receive func(context.Context) error) error {
	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // want "deferred inside a loop"
		defer cancel()
		if err := receive(ctx); err != nil {
			return err
		}
	}
	return nil
}

// PollUntil goes round until its deadline, every 10 ms: hundreds of 5 s contexts live at once.
func PollUntil(ready func(context.Context) bool) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want "deferred inside a loop"
		defer cancel()
		if ready(ctx) {
			return true
		}
	}
	return false
}

// ReceiveForever's fixed rounds sit in a loop with no end: the defers pile up for good.
func ReceiveForever(receive func(context.Context) error) {
	for {
		for i := 0; i < 5; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second) // want "deferred inside a loop"
			defer cancel()
			_ = receive(ctx)
		}
	}
}
