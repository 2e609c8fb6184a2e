package fetch

import (
	"context"
	"errors"
)

type result struct {
	body []byte
	err  error
}

// Fetch gets url unless ctx ends first; the getter reports its error or its body, not both.
func Fetch(ctx context.Context, get func(string) ([]byte, error), url string) ([]byte, error) {
	ch := make(chan result) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	go func() {
		body, err := get(url)
		if err != nil {
			ch <- result{err: err}
			return
		}
		ch <- result{body: body}
	}()
	select {
	case r := <-ch:
		return r.body, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Resolve starts the lookup, checks name meanwhile, and gives up when it is empty.
func Resolve(name string, lookup func(string) string) (string, error) {
	addr := make(chan string) // want "goroutines sending on unbuffered channel addr block forever once its receiver returns before it has received every send"
	go func() { addr <- lookup(name) }()
	if name == "" {
		return "", errors.New("empty name")
	}
	return <-addr, nil
}
