package retry

import (
	"context"
	"errors"
	"time"
)

var errGaveUp = errors.New("gave up")

// Retry gives every attempt a fresh deadline, and drops the old one's cancel func.
func Retry(parent context.Context, attempts int, try func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is overwritten at line 19 before it is called"
	for i := 0; i < attempts; i++ {
		if err := try(ctx); err == nil {
			cancel()
			return nil
		}
		ctx, cancel = context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is made again by the loop before it is called"
	}
	cancel()
	return errGaveUp
}

// Poll starts from no deadline at all: the variable is nil until the first attempt.
func Poll(parent context.Context, attempts int, try func(context.Context) error) error {
	var cancel context.CancelFunc
	for i := 0; i < attempts; i++ {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is made again by the loop before it is called"
		if err := try(ctx); err == nil {
			cancel()
			return nil
		}
	}
	if cancel != nil {
		cancel()
	}
	return errGaveUp
}
