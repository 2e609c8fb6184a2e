package actors

import (
	"sync"
	"testing"
	"time"
)

// A reminder deleted (stop closed) before its timers fire: its goroutine must end.
func TestLeakStopped(t *testing.T) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	Reminder(time.Hour, time.Hour, stop, func() {}, &wg)
	close(stop)
	waitFor(t, &wg)
}

// A reminder that expires (ttl) before its next tick: the next timer was stopped unfired.
func TestLeakExpired(t *testing.T) {
	var wg sync.WaitGroup
	Reminder(time.Hour, time.Millisecond, make(chan struct{}), func() {}, &wg)
	waitFor(t, &wg)
}

func waitFor(t *testing.T, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("goroutine leak: the reminder's goroutine is still blocked in its deferred cleanup")
	}
}
