package poll

import (
	"testing"
	"time"
)

// A timer that already fired (and was received): Stop returns false, nothing is drained.
func TestFiredTimers(t *testing.T) {
	fired := func() *time.Timer {
		tm := time.NewTimer(time.Millisecond)
		<-tm.C
		return tm
	}
	within(t, 5*time.Second, func() {
		Cancel(fired())
		Drop(fired())
		Discard(fired())
		j := &job{timer: fired()}
		j.Halt()
		if j.stopped != 0 {
			t.Errorf("stopped = %d, want 0", j.stopped)
		}
	})
}
