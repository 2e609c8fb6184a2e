package start

import (
	"errors"
	"time"
)

var ErrFailed = errors.New("fetch failed")

// fetch answers once per run: each send ends it (the failure's by its return, the value's
// as the body's last statement), so one slot is enough for both.
func fetch(get func() (int, error), out chan int) {
	v, err := get()
	if err != nil {
		out <- -1
		return
	}
	out <- v
}

// Fetch waits up to d for get's value.
func Fetch(get func() (int, error), d time.Duration) (int, error) {
	out := make(chan int) // want "out is handed to fetch, which sends the answer on it, but this select can stop waiting \\(a timeout\\)"
	go fetch(get, out)
	select {
	case v := <-out:
		if v < 0 {
			return 0, ErrFailed
		}
		return v, nil
	case <-time.After(d):
		return 0, ErrTimeout
	}
}
