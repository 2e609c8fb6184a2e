package queue

import (
	"sync/atomic"
	"testing"
	"time"
)

// Every item produced before Stop is consumed, and Start returns.
func TestStartStop(t *testing.T) {
	var made, got atomic.Int64
	q := New(func() (string, bool) {
		time.Sleep(time.Millisecond)
		made.Add(1)
		return "x", true
	}, func(string) { got.Add(1) })
	done := make(chan struct{})
	go func() {
		q.Start(3)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	q.Stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Start did not return after Stop")
	}
	if made.Load() != got.Load() {
		t.Fatalf("made %d items, consumed %d", made.Load(), got.Load())
	}
}
