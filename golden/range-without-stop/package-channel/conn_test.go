package conn

import (
	"testing"
	"time"
)

// What is queued while a connection is open is read: no hang.
func TestQueuedIsRead(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c := New()
		defer c.Close()
		for _, s := range []string{"a", "bb", "ccc"} {
			if !c.Queue([]byte(s)) {
				t.Errorf("Queue(%q) on an open connection failed", s)
			}
		}
		for Written() < 6 {
			time.Sleep(time.Millisecond)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("hung: what was queued was never read")
	}
}
