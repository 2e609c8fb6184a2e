package msg

import (
	"errors"
	"sync"
)

var (
	errClosed = errors.New("message closed")
	errAcked  = errors.New("message already acknowledged")
)

// Msg is a message that can be acknowledged once.
type Msg struct {
	mu     sync.Mutex
	closed bool
	acked  bool
}

// Ack acknowledges the message.
func (m *Msg) Ack() error {
	m.mu.Lock() // want "m.mu.Lock\\(\\) is not matched by m.mu.Unlock\\(\\) on every path: the return at line 28"
	if m.closed {
		m.mu.Unlock()
		return errClosed
	}
	if m.acked {
		return errAcked
	}
	m.acked = true
	m.mu.Unlock()
	return nil
}

// Acked says whether the message was acknowledged.
func (m *Msg) Acked() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.acked
}
