// Package pool stands in for a client library whose connections own a goroutine until
// Close (as a *grpc.ClientConn does); the case's .gofixleaks.toml names pool.Dial a maker.
package pool

import "errors"

// Conn owns a goroutine from Dial until Close.
type Conn struct {
	addr string
	stop chan struct{}
}

// Dial starts the connection's goroutine.
func Dial(addr string) (*Conn, error) {
	if addr == "" {
		return nil, errors.New("no address")
	}
	c := &Conn{addr: addr, stop: make(chan struct{})}
	go func() { <-c.stop }()
	return c, nil
}

// Close stops the connection's goroutine.
func (c *Conn) Close() error {
	close(c.stop)
	return nil
}

// APIClient is a stub over a connection (as a generated gRPC client is): it borrows it.
type APIClient struct{ conn *Conn }

// NewAPIClient makes a stub that calls through conn.
func NewAPIClient(conn *Conn) *APIClient { return &APIClient{conn: conn} }

// Ping fails for the address "down".
func (a *APIClient) Ping() error {
	if a.conn.addr == "down" {
		return errors.New("unavailable")
	}
	return nil
}
