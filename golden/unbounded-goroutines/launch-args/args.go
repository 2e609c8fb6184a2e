// Package launchargs starts goroutines whose arguments change right after the launch: a
// go statement evaluates them at the launch, so the bounded form must too.
package launchargs

import "sync"

// Number passes n, which the next iteration changes.
func Number(lines <-chan string, handle func(int, string)) {
	n := 0
	for line := range lines {
		n++
		go handle(n, line) // want "goroutine started for every value received from lines"
	}
}

// Advance passes n, which a closure written before the loop changes after each launch.
func Advance(lines <-chan string, handle func(int, string)) {
	n := 0
	next := func() { n++ }
	for line := range lines {
		go handle(n, line) // want "goroutine started for every value received from lines"
		next()
	}
}

// Pointer passes n, which the loop changes through a pointer taken before it.
func Pointer(lines <-chan string, handle func(int, string)) {
	n := 0
	p := &n
	for line := range lines {
		go handle(n, line) // want "goroutine started for every value received from lines"
		*p++
	}
}

// Server numbers what it dispatches; bump changes the generation under its lock.
type Server struct {
	mu  sync.Mutex
	gen int
}

func (s *Server) bump() {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}

// Dispatch passes the field s.gen, which another method changes after each launch: read
// inside the goroutine instead of at the launch it would be a later value, and a race.
func (s *Server) Dispatch(lines <-chan string, handle func(int, string)) {
	for line := range lines {
		go handle(s.gen, line) // want "goroutine started for every value received from lines"
		s.bump()
	}
}

// Tally passes the addresses of its counter and lock, which every iteration writes through:
// a closure taking &hits later gets the same address, so nothing needs evaluating first.
func Tally(lines <-chan string, count func(*sync.Mutex, *int, string)) int {
	var mu sync.Mutex
	hits := 0
	for line := range lines {
		go count(&mu, &hits, line) // want "goroutine started for every value received from lines"
		mu.Lock()
		hits++
		mu.Unlock()
	}
	mu.Lock()
	defer mu.Unlock()
	return hits
}
