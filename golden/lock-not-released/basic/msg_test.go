package msg

import "testing"

func TestAckOnce(t *testing.T) {
	m := &Msg{}
	if err := m.Ack(); err != nil || !m.Acked() {
		t.Fatalf("Ack = %v, Acked = %v", err, m.Acked())
	}
	c := &Msg{closed: true}
	if err := c.Ack(); err != errClosed || c.Acked() {
		t.Fatalf("Ack on closed = %v", err)
	}
}
