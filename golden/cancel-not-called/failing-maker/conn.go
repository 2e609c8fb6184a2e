// Package conn's dial helper returns a context with its cancel func, or an error and no
// cancel func at all (as containerd's ctr commands.NewClient does).
package conn

import (
	"context"
	"errors"
)

// Conn is a connection to a server.
type Conn struct{ addr string }

var errNoAddr = errors.New("no address")

// dial connects to addr; on failure it returns no context and a nil cancel func.
func dial(parent context.Context, addr string) (*Conn, context.Context, context.CancelFunc, error) {
	if addr == "" {
		return nil, nil, nil, errNoAddr
	}
	ctx, cancel := context.WithCancel(parent)
	return &Conn{addr: addr}, ctx, cancel, nil
}
