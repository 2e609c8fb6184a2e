package poll

import (
	"testing"
	"time"
)

func TestLeakCancel(t *testing.T) {
	within(t, 2*time.Second, func() { Cancel(time.NewTimer(time.Hour)) })
}

func TestLeakHalt(t *testing.T) {
	j := &job{timer: time.NewTimer(time.Hour)}
	within(t, 2*time.Second, j.Halt)
	if j.stopped != 1 {
		t.Fatalf("stopped = %d, want 1", j.stopped)
	}
}

func TestLeakDrop(t *testing.T) {
	within(t, 2*time.Second, func() { Drop(time.NewTimer(time.Hour)) })
}

func TestLeakDiscard(t *testing.T) {
	within(t, 2*time.Second, func() { Discard(time.NewTimer(time.Hour)) })
}
