package fetch

import (
	"errors"
	"time"
)

var errTimeout = errors.New("timeout")

// Client asks with a time limit.
type Client struct {
	Limit time.Duration
}

// Get returns a pointer to ask's answer, or errTimeout when it takes longer than the
// client's limit.
func (c *Client) Get[T any](ask func() T) (*T, error) {
	ch := make(chan *T) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	go func() {
		ch <- new(ask())
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-time.After(c.Limit):
		return nil, errTimeout
	}
}
