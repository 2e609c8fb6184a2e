package wait

import (
	"errors"
	"time"
)

var ErrTimeout = errors.New("timed out")

// First returns the first result, or ErrTimeout when d passes first.
func First(results <-chan int, d time.Duration) (int, error) {
	t := time.NewTimer(d) // want "timer t from time.NewTimer is never stopped: before Go 1.23 it stays in the runtime"
	select {
	case r := <-results:
		return r, nil
	case <-t.C:
		return 0, ErrTimeout
	}
}
