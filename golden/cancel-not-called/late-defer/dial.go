package dial

import (
	"context"
	"time"
)

// Conn is a connection made within a context.
type Conn interface {
	Ping(ctx context.Context) error
}

// Check dials and pings under one deadline; the defer comes after the first way out.
func Check(parent context.Context, dial func(context.Context) (Conn, error)) error {
	ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is not called on every path"
	c, err := dial(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	return c.Ping(ctx)
}

// Spaced is Check with its defer set off by blank lines: moving it up leaves one of them.
func Spaced(parent context.Context, dial func(context.Context) (Conn, error)) error {
	ctx, cancel := context.WithTimeout(parent, time.Minute) // want "cancel from context.WithTimeout is not called on every path"
	c, err := dial(ctx)
	if err != nil {
		return err
	}

	defer cancel()

	return c.Ping(ctx)
}
