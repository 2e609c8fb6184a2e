// Package below sends its results one call below the goroutines it starts: in a function
// of the package the goroutine hands the channel to, in a closure of the function, or in a
// function started with go itself.
package below

import (
	"errors"
	"time"
)

var errTimeout = errors.New("timeout")

// check reports whether s is valid on errc: its send is all it does.
func check(s string, valid func(string) error, errc chan<- error) {
	errc <- valid(s)
}

// Both checks a and b concurrently and returns the first error.
func Both(a, b string, valid func(string) error) error {
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver returns before it has received every send"
	go func() { check(a, valid, errc) }()
	go func() {
		check(b, valid, errc)
	}()
	for i := 0; i < 2; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Query returns ask's answer, or errTimeout when it takes longer than d.
func Query(d time.Duration, ask func() string) (string, error) {
	ch := make(chan string) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	reply := func(s string) { ch <- s }
	go func() { reply(ask()) }()
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(d):
		return "", errTimeout
	}
}

// fetch sends what get returns for u.
func fetch(u string, get func(string) string, out chan<- string) {
	out <- get(u)
}

// First returns the first answer of any of urls.
func First(urls []string, get func(string) string) string {
	ch := make(chan string) // want "goroutines sending on unbuffered channel ch block forever once its receiver receives fewer values than its goroutines send"
	for _, u := range urls {
		go fetch(u, get, ch)
	}
	return <-ch
}
