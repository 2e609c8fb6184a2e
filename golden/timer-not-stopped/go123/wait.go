package wait

import (
	"errors"
	"time"
)

var ErrTimeout = errors.New("timed out")

// First returns the first result, or ErrTimeout when d passes first.
func First(results <-chan int, d time.Duration) (int, error) {
	t := time.NewTimer(d)
	select {
	case r := <-results:
		return r, nil
	case <-t.C:
		return 0, ErrTimeout
	}
}
