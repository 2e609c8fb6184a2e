package conn

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

func TestIdleFiresWhileOpen(t *testing.T) {
	within(t, 5*time.Second, func() {
		var idled atomic.Int32
		c := &Conn{onIdle: func() { idled.Add(1) }}
		c.Arm(10 * time.Millisecond)
		time.Sleep(100 * time.Millisecond)
		if idled.Load() != 1 {
			t.Errorf("onIdle ran %d times, want 1", idled.Load())
		}
		c.Close()
		(&Conn{}).Close()
	})
}
