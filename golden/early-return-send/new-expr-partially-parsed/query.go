// Go accepts this file, but tree-sitter-go cannot parse the two labels that end run's
// body: the leak in Query is still reported, and the file is not fixed.
package query

import (
	"errors"
	"time"
)

var errTimeout = errors.New("timeout")

// Query returns a pointer to ask's answer, or errTimeout when it takes longer than d.
func Query(d time.Duration, ask func() string) (*string, error) {
	ch := make(chan *string) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	go func() {
		ch <- new(ask())
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(d):
		return nil, errTimeout
	}
}

func run(n int, f func()) {
	if n > 0 {
		goto skip
	}
	f()
	goto done
skip:
done:
}
