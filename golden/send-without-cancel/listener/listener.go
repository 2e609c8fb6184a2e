// Package listener runs accept loops that leave on their ctx at the top of each round (as
// a service framework runs them: nothing in the package starts them with go), and hand
// each connection on with a plain send.
package listener

import (
	"context"
	"errors"
)

// Serve hands each accepted value to out until ctx ends; out is the caller's, handed over
// with ctx, so ctx ending means nobody receives any more.
func Serve(ctx context.Context, accept func() int, out chan<- int) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
		}
		v := accept()
		out <- v // want "send on out blocks forever once its receiver is gone, although its loop leaves on ctx.Done"
	}
}

type conn struct{ id int }

type listener struct {
	conns chan conn
}

// serve is the syncthing shape: the receiver of l.conns is another service, out of view,
// and serve reports an error, so the send is reported without a fix.
func (l *listener) serve(ctx context.Context, accept func() (int, error)) error {
	for {
		id, err := accept()
		select {
		case <-ctx.Done():
			return nil
		default:
		}
		if err != nil {
			return errors.Join(err)
		}
		l.conns <- conn{id} // want "send on l.conns blocks forever once its receiver is gone, although its loop leaves on ctx.Done"
	}
}

// Pump never leaves on ctx: its loop has no such exit, so nothing says it runs until ctx ends.
func Pump(ctx context.Context, next func() (int, bool), out chan<- int) {
	for {
		v, ok := next()
		if !ok {
			return
		}
		out <- v
	}
}
