package store

import (
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		s := &Store{}
		if err := s.Put("c", 1); err != errKind {
			t.Fatalf("Put(c) = %v, want errKind", err)
		}
		go s.Updates() // blocks forever if Put kept the lock
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines blocked on the store's lock, started with %d", n-base, base)
	}
}
