package notinloop

import (
	"testing"
	"time"
)

// Test files are not reported: the test binary's timers die with it.
func TestOnce(t *testing.T) {
	ready := make(chan bool, 3)
	ready <- true
	ready <- false
	for i := 0; i < 3; i++ {
		select {
		case <-ready:
		case <-time.After(10 * time.Millisecond):
		}
	}
	if Once(nil, time.Millisecond) {
		t.Fatal("Once without a ready value reported ready")
	}
}
