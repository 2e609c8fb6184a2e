package query

import (
	"errors"
	"time"
)

var errTimeout = errors.New("timeout")

// Answer is a reply and how long it took.
type Answer struct {
	Text *string
	Took *time.Duration
}

// Budget is the last time budget Query was given, doubled.
var Budget *time.Duration

func remember(d *time.Duration) { Budget = d }

// Query returns ask's answer, or errTimeout when it takes longer than d.
func Query(d time.Duration, ask func() string) (*Answer, error) {
	remember(new(2 * d))
	start := time.Now()
	ch := make(chan *string) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	go func() {
		ch <- new(ask())
	}()
	select {
	case r := <-ch:
		return &Answer{Text: r, Took: new(time.Since(start))}, nil
	case <-time.After(d):
		return nil, errTimeout
	}
}

// Label is a pointer to s with a mark appended.
func Label(s string) *string {
	return new(s + "!")
}
