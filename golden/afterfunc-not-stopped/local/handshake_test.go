package handshake

import (
	"testing"
	"time"
)

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
