package clients

import (
	"fmt"

	"example.com/clients/pool"
)

// Client keeps its connection until Close.
type Client struct {
	conn *pool.Conn
	api  *pool.APIClient
}

// Connect keeps the connection in the Client it returns, but a failed ping drops it.
func Connect(addr string) (*Client, error) {
	conn, err := pool.Dial(addr) // want "conn from pool.Dial is kept on one path \\(line 25\\) but dropped without conn.Close\\(\\) at line 23"
	if err != nil {
		return nil, err
	}
	api := pool.NewAPIClient(conn)
	if err := api.Ping(); err != nil {
		return nil, fmt.Errorf("ping %s: %w", addr, err)
	}
	return &Client{conn: conn, api: api}, nil
}

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }
