package handshake

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

type nopCloser struct{ closed chan struct{} }

func (c nopCloser) Close() error {
	close(c.closed)
	return nil
}

func TestSlowPeerIsClosed(t *testing.T) {
	within(t, 5*time.Second, func() {
		c := nopCloser{make(chan struct{})}
		slow := func() error {
			<-c.closed // the timer closes the connection while hello waits
			return nil
		}
		if err := Handshake(c, 10*time.Millisecond, slow); err != nil {
			t.Errorf("Handshake: %v", err)
		}
		if err := Handshake(nopCloser{make(chan struct{})}, time.Hour, func() error { return nil }); err != nil {
			t.Errorf("Handshake: %v", err)
		}
	})
}
