package work

import (
	"sync"
	"testing"
	"time"
)

// No-hang proof: every job is handled, in order, and Dispatch returns, within a second.
func TestDispatchHandlesEveryJob(t *testing.T) {
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	go func() {
		Dispatch([]string{"a", "b", "c"}, func(j string) { mu.Lock(); got = append(got, j); mu.Unlock() })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Dispatch hangs")
	}
	deadline := time.Now().Add(time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("handled %d of 3 jobs", n)
		}
		time.Sleep(time.Millisecond)
	}
	if got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Fatalf("handled %v", got)
	}
}
