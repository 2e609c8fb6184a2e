package sessions

import (
	"sync/atomic"
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

func TestIdleSessionsExpire(t *testing.T) {
	within(t, 5*time.Second, func() {
		var fired atomic.Int32
		s := New(func(string) { fired.Add(1) })
		s.Touch("a", 10*time.Millisecond)
		s.Touch("b", 10*time.Millisecond)
		s.End("b")
		s.End("never-touched")
		time.Sleep(100 * time.Millisecond)
		if n := fired.Load(); n < 1 {
			t.Errorf("%d sessions expired, want at least the one not ended", n)
		}
	})
}
