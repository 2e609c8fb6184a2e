package first

import (
	"maps"
	"time"
)

// First runs every job of m and returns the first result within d. pairs is a func
// iterator, which has no len: the number of sends cannot be read from the code.
func First(m map[string]func() int, d time.Duration) int {
	pairs := maps.All(m)
	ch := make(chan int) // want "goroutines sending on unbuffered channel ch block forever once its receiver takes another case of its select"
	for _, f := range pairs {
		go func() { ch <- f() }()
	}
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		return 0
	}
}
