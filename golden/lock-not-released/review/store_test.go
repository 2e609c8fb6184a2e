package store

import "testing"

func TestPut(t *testing.T) {
	s := &Store{}
	if err := s.Put("a", 1); err != nil || s.a != 1 || s.Updates() != 1 {
		t.Fatalf("Put(a) = %v", err)
	}
}
