package conn

import (
	"context"
	"errors"
)

// Ping returns at once when dial failed: there is no cancel func to call (a defer of it
// before the check would panic on the nil func), so the error path is no finding.
func Ping(parent context.Context, addr string) error {
	c, ctx, cancel, err := dial(parent, addr)
	if err != nil {
		return err
	}
	defer cancel()
	return use(ctx, c)
}

// Status returns on a later failure before it defers cancel: that path leaks the context.
func Status(parent context.Context, addr string, ready bool) error {
	c, ctx, cancel, err := dial(parent, addr) // want "cancel from dial is not called on every path"
	if err != nil {
		return err
	}
	if !ready {
		return errors.New("not ready")
	}
	defer cancel()
	return use(ctx, c)
}

func use(ctx context.Context, c *Conn) error {
	if c.addr == "" {
		return errNoAddr
	}
	return ctx.Err()
}
