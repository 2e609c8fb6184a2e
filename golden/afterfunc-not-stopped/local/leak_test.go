package handshake

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

type conn struct{ closed atomic.Int32 }

func (c *conn) Close() error {
	c.closed.Add(1)
	return nil
}

func TestLeak(t *testing.T) {
	c := &conn{}
	if err := Handshake(c, 50*time.Millisecond, func() error { return errors.New("refused") }); err == nil {
		t.Fatal("Handshake succeeded")
	}
	time.Sleep(200 * time.Millisecond)
	if n := c.closed.Load(); n != 0 {
		t.Fatalf("timer leak: the handshake's timer closed the connection %d time(s) after Handshake returned", n)
	}
}
