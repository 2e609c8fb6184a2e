package collect

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

func TestCollectSumsAndTimesOut(t *testing.T) {
	within(t, 5*time.Second, func() {
		ready := make(chan int, 1)
		ready <- 4
		stuck := make(chan int)
		if sum := Collect([]<-chan int{ready, stuck, ready}, 20*time.Millisecond); sum != 4 {
			t.Errorf("Collect = %d, want 4", sum)
		}
	})
}
