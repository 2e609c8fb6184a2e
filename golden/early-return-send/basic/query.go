package query

import (
	"errors"
	"time"
)

var errTimeout = errors.New("timeout")

// Query returns ask's answer, or errTimeout when it takes longer than d.
func Query(d time.Duration, ask func() string) (string, error) {
	ch := make(chan string) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	go func() {
		ch <- ask()
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(d):
		return "", errTimeout
	}
}
