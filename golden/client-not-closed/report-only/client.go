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

// Attach stores the stub before the step that can fail: closing the connection there would
// break the stub the Client already holds.
func (c *Client) Attach(addr string) (*pool.Conn, error) {
	conn, err := pool.Dial(addr) // want "conn from pool.Dial is kept on one path \\(line 26\\) but dropped without conn.Close\\(\\) at line 24"
	if err != nil {
		return nil, err
	}
	c.api = pool.NewAPIClient(conn)
	if err := c.api.Ping(); err != nil {
		return nil, fmt.Errorf("ping %s: %w", addr, err)
	}
	return conn, nil
}
