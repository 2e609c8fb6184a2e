package wrapper

import (
	"context"
	"time"
)

// Client carries the timeout of its calls.
type Client struct {
	timeout time.Duration
}

func withTimeout(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, time.Minute)
}

func (c *Client) opCtx(parent context.Context) (ctx context.Context, cancel context.CancelFunc) {
	return context.WithTimeout(parent, c.timeout)
}
