package slow

import (
	"context"
	"errors"
	"time"
)

var errSlow = errors.New("slow")

// Slow gives f a second; WithTimeoutCause's cancel func, unlike WithCancelCause's, takes no cause.
func Slow(parent context.Context, f func(context.Context) error) error {
	ctx, _ := context.WithTimeoutCause(parent, time.Second, errSlow) // want "the cancel func of context.WithTimeoutCause is discarded"
	return f(ctx)
}
