package message

import (
	"errors"
	"testing"
	"time"
)

// Close comes back, however the reader is placed: dispatch gets Close's message and
// drains the reader, which ends when its source is stopped.
func TestNoHang(t *testing.T) {
	for i := 0; i < 50; i++ {
		stopped := make(chan struct{})
		c := NewClient(func() (int, error) {
			select {
			case <-stopped:
				return 0, errors.New("closed")
			default:
				return 1, nil
			}
		}, func() { close(stopped) })
		done := make(chan struct{})
		go func() {
			c.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close hangs")
		}
	}
}
