package timerbeforego

import (
	"testing"
	"time"
)

// No-hang proofs: each path still finishes, and the goroutine still fires or stops.
func TestIdle(t *testing.T) {
	Idle(nil, time.Hour, func() { t.Error("no events channel: nothing to watch") })
	fired := make(chan struct{})
	Idle(make(chan struct{}), time.Millisecond, func() { close(fired) })
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("the idle callback never ran")
	}
	events := make(chan struct{})
	Idle(events, time.Hour, func() { t.Error("an event arrived: not idle") })
	events <- struct{}{}
}
