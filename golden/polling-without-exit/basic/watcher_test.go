package watcher

import (
	"testing"
	"time"
)

// No-hang proof: until it is stopped the watcher keeps checking, and Stop returns at once.
func TestWatcherChecksUntilStopped(t *testing.T) {
	w := Start(time.Millisecond)
	deadline := time.Now().Add(time.Second)
	for w.checks.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the watcher does not check")
		}
		time.Sleep(time.Millisecond)
	}
	w.Stop()
}
