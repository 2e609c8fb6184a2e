package fetch

import (
	"context"
	"errors"
	"fmt"
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

// Run runs work, turning a panic into an error in a deferred send, unless ctx ends first.
func Run(ctx context.Context, work func() error) error {
	done := make(chan error) // want "goroutines sending on unbuffered channel done block forever once its receiver takes another case of its select"
	go func() {
		var err error
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("work panicked: %v", r)
			}
			done <- err
		}()
		err = work()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pair computes both halves in one goroutine, unless ctx ends first.
func Pair(ctx context.Context, left, right func() int) (int, int, error) {
	out := make(chan int) // want "goroutines sending on unbuffered channel out block forever once its receiver returns before it has received every send"
	go func() {
		out <- left()
		out <- right()
	}()
	var got [2]int
	for i := range got {
		select {
		case got[i] = <-out:
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	}
	return got[0], got[1], nil
}
