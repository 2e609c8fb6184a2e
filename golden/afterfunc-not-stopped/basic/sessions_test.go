package sessions

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestIdleSessionsExpire(t *testing.T) {
	within(t, 5*time.Second, func() {
		var fired atomic.Int32
		s := New(func(string) { fired.Add(1) })
		s.Touch("a", 10*time.Millisecond)
		s.Touch("b", 10*time.Millisecond)
		s.End("b")
		s.End("never-touched")
		time.Sleep(100 * time.Millisecond)
		if n := fired.Load(); n < 1 {
			t.Errorf("%d sessions expired, want at least the one not ended", n)
		}
	})
}
