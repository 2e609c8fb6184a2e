package debounce

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

func TestQuietPeriodFires(t *testing.T) {
	within(t, 5*time.Second, func() {
		var fired atomic.Int32
		d := &Debouncer{wait: 10 * time.Millisecond, fire: func() { fired.Add(1) }}
		d.Trigger()
		time.Sleep(100 * time.Millisecond)
		d.Trigger()
		time.Sleep(100 * time.Millisecond)
		if n := fired.Load(); n != 2 {
			t.Errorf("fired %d times, want 2", n)
		}
		d.Trigger()
		d.Stop()
	})
}
