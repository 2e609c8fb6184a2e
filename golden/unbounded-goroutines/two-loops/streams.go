// Package streams launches from two loops of one function: their fixes land in the same
// round, so each needs a semaphore name of its own.
package streams

// Both hands every value of a and of b to a goroutine of its own.
func Both(a, b <-chan int, handle func(int)) {
	for v := range a {
		go handle(v) // want "every value received from a"
	}
	for v := range b {
		go handle(v) // want "every value received from b"
	}
}
