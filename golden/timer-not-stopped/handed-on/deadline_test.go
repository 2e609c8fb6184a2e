package deadline

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

func TestDeadline(t *testing.T) {
	within(t, 5*time.Second, func() {
		ready := make(chan string, 1)
		ready <- "r"
		if r, tm := Deadline(ready, time.Hour); r != "r" || tm != nil {
			t.Errorf("Deadline = %q, %v", r, tm)
		}
		r, tm := Deadline(make(chan string), 10*time.Millisecond)
		if r != "" || tm == nil {
			t.Errorf("Deadline = %q, %v", r, tm)
			return
		}
		<-tm.C // the caller's timer still fires
	})
}
