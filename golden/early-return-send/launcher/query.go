// Package launcher starts its goroutines through a helper of its own that recovers panics:
// a literal handed to it runs on a goroutine as surely as one started with go.
package launcher

import (
	"errors"
	"log"
	"time"
)

var errTimeout = errors.New("timeout")

// safeGo runs f on a goroutine, logging a panic instead of crashing.
func safeGo(f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Print(r)
			}
		}()
		f()
	}()
}

// Query returns ask's answer, or errTimeout when it takes longer than d.
func Query(d time.Duration, ask func() string) (string, error) {
	ch := make(chan string) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	safeGo(func() { ch <- ask() })
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(d):
		return "", errTimeout
	}
}

// All runs f over xs and returns the first error.
func All(xs []int, f func(int) error) error {
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver returns before it has received every send"
	for _, x := range xs {
		safeGo(func() {
			errc <- f(x)
		})
	}
	for range xs {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}
