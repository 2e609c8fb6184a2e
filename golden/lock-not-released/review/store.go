package store

import (
	"errors"
	"sync"
)

var errKind = errors.New("unknown kind")

// Store keeps two counters.
type Store struct {
	mu      sync.Mutex
	a, b    int
	updates int
}

// Put sets the counter named kind.
func (s *Store) Put(kind string, v int) error {
	s.mu.Lock() // want "s.mu.Lock\\(\\) is not matched by s.mu.Unlock\\(\\) on every path: the return at line 26 leaves with it held"
	switch kind {
	case "a":
		s.a = v
	case "b":
		s.b = v
	default:
		return errKind
	}
	s.updates++
	s.mu.Unlock()
	s.notify()
	return nil
}

func (s *Store) notify() {}

// Updates says how many times Put succeeded.
func (s *Store) Updates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updates
}
