package sample

import (
	"testing"
	"time"
)

// within fails the test when f does not return within d: a fix must never make it hang.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not return within %v", d)
	}
}

func TestSample(t *testing.T) {
	within(t, 5*time.Second, func() {
		one := func() int { return 1 }
		if sum := Sample([]func() int{one, one, one}, 3, time.Millisecond); sum != 9 {
			t.Errorf("Sample = %d, want 9", sum)
		}
	})
}
