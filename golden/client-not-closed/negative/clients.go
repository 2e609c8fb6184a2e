package clients

import (
	"errors"
	"fmt"

	"example.com/clients/pool"
)

// Client keeps its connection until Close.
type Client struct {
	conn *pool.Conn
	api  *pool.APIClient
}

// Connect closes the connection on the path that fails after it is made.
func Connect(addr string) (*Client, error) {
	conn, err := pool.Dial(addr)
	if err != nil {
		return nil, err // the maker failed: there is no connection
	}
	api := pool.NewAPIClient(conn)
	if err := api.Ping(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ping %s: %w", addr, err)
	}
	return &Client{conn: conn, api: api}, nil
}

// ConnectDeferred closes it by a deferred func on the failing paths.
func ConnectDeferred(addr string) (c *Client, err error) {
	conn, err := pool.Dial(addr)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	api := pool.NewAPIClient(conn)
	if err = api.Ping(); err != nil {
		return nil, err
	}
	return &Client{conn: conn, api: api}, nil
}

// Ping uses a connection and drops it on every path: never kept, another question.
func Ping(addr string) error {
	conn, err := pool.Dial(addr)
	if err != nil {
		return err
	}
	if addr == "slow" {
		return errors.New("too slow")
	}
	return pool.NewAPIClient(conn).Ping()
}

// Probe closes it when it is done.
func Probe(addr string) error {
	conn, err := pool.Dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	return pool.NewAPIClient(conn).Ping()
}

// Reconnect stores the connection in a field at once: its owner closes it.
func (c *Client) Reconnect(addr string) error {
	var err error
	c.conn, err = pool.Dial(addr)
	if err != nil {
		return err
	}
	c.api = pool.NewAPIClient(c.conn)
	return c.api.Ping()
}

// Checked hands the connection on before anything can fail.
func Checked(addr string, keep func(*pool.Conn)) error {
	conn, err := pool.Dial(addr)
	if err != nil {
		return err
	}
	keep(conn)
	return pool.NewAPIClient(conn).Ping()
}
