package settled

import (
	"testing"
	"time"
)

// Test files are not reported: the test binary's timers die with it.
func TestDeferred(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 4
	tm := time.NewTimer(time.Hour)
	if got := Deferred(ch, time.Hour); got != 4 {
		t.Fatalf("Deferred = %d, want 4", got)
	}
	select {
	case <-tm.C:
		t.Fatal("an hour passed")
	default:
	}
}
