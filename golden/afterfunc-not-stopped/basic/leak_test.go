package sessions

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestLeak ends every session before it times out: no expiry may run after that, and none
// may keep a session alive.
func TestLeak(t *testing.T) {
	var fired atomic.Int32
	s := New(func(string) { fired.Add(1) })
	for _, id := range []string{"a", "b", "c"} {
		s.Touch(id, 50*time.Millisecond)
		s.End(id)
	}
	time.Sleep(200 * time.Millisecond)
	if n := fired.Load(); n != 0 {
		t.Fatalf("timer leak: %d ended sessions still expired later", n)
	}
}
