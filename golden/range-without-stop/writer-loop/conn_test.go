package conn

import (
	"testing"
	"time"
)

// What was sent before Close is still written.
func TestSentBeforeCloseIsWritten(t *testing.T) {
	within(t, 5*time.Second, func() {
		c := New()
		defer c.Close()
		for _, s := range []string{"a", "", "b", "c"} {
			if !c.Send([]byte(s)) {
				t.Errorf("Send(%q) on an open connection failed", s)
			}
		}
		for c.Written() < 3 {
			time.Sleep(time.Millisecond)
		}
	})
}
