// Package triple reproduces dubbo-go protocol/triple/triple_protocol/client.go: CallUnary and
// applyDefaultTimeout, which returns a nil cancel (and flag false) when it makes no context.
package triple

import (
	"context"
	"time"
)

// applyDefaultTimeout is client.go:306-331 (the TimeoutKey branch left out).
func applyDefaultTimeout(ctx context.Context, timeout time.Duration) (context.Context, bool, context.CancelFunc) {
	var cancel context.CancelFunc
	var applyFlag bool

	_, ok := ctx.Deadline()
	if !ok && timeout != 0 {
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(timeout))
		applyFlag = true
	}
	return ctx, applyFlag, cancel
}

// callUnary stands for the unary call made under ctx.
func callUnary(ctx context.Context) error { return ctx.Err() }
