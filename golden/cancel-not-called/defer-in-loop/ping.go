package ping

import (
	"context"
	"errors"
	"time"
)

// PingAll pings every host under its own deadline; the deferred cancels wait for the return.
func PingAll(parent context.Context, hosts []string, ping func(context.Context, string) error) (up int) {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is deferred inside a loop"
		defer cancel()
		if err := ping(ctx, h); err != nil {
			continue
		}
		up++
	}
	return up
}

// First returns the first host that answers; every failed attempt's context waits for it.
func First(parent context.Context, hosts []string, ping func(context.Context, string) error) (string, error) {
	var last error
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is deferred inside a loop"
		defer cancel()
		err := ping(ctx, h)
		if err == nil {
			return h, nil
		}
		last = err
	}
	return "", last
}

// Twice derives two contexts per pass into one variable: the end of the pass can cancel
// only the second, so the first keeps its defer.
func Twice(parent context.Context, hosts []string, f func(context.Context, string) error) {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is deferred inside a loop"
		defer cancel()
		_ = f(ctx, h)
		ctx, cancel = context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is deferred inside a loop"
		defer cancel()
		_ = f(ctx, h)
	}
}

// Last defers its cancel as the pass's last statement: the end of the pass is right there.
func Last(parent context.Context, hosts []string, f func(context.Context, string) error) {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is deferred inside a loop"
		_ = f(ctx, h)
		defer cancel()
	}
}

var errGaveUp = errors.New("gave up on the host")

// Any tries the hosts in turn, each under a context whose cancel says why it ended: the
// fix keeps that cause.
func Any(parent context.Context, hosts []string, ping func(context.Context, string) error) error {
	for _, h := range hosts {
		ctx, cancel := context.WithCancelCause(parent) // want "cancel from context.WithCancelCause is deferred inside a loop"
		defer func() { cancel(errGaveUp) }()
		if ping(ctx, h) == nil {
			return nil
		}
	}
	return errGaveUp
}
