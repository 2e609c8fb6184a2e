package drained

import (
	"fmt"
	"testing"
	"time"
)

func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s hangs", what)
	}
}

// More items than any default bound: every result must come back, and promptly.
func TestDrainedAfterTheLoopDoesNotHang(t *testing.T) {
	var names []string
	for i := 0; i < 25; i++ {
		names = append(names, fmt.Sprint("n", i))
	}
	within(t, "ProbeAll", func() {
		p := &Prober{results: make(chan string), names: names}
		if got := len(p.ProbeAll()); got != 25 {
			t.Errorf("ProbeAll: %d results, want 25", got)
		}
	})
	within(t, "Refresh", func() {
		if got := len(Refresh(names)); got != 25 {
			t.Errorf("Refresh: %d results, want 25", got)
		}
	})
	within(t, "Each", func() {
		n := make(chan string, 25)
		Each(names, func(s string) { n <- s })
		if len(n) != 25 {
			t.Errorf("Each: %d calls, want 25", len(n))
		}
	})
	within(t, "Stream", func() {
		requests := make(chan string, 25)
		for _, n := range names {
			requests <- n
		}
		close(requests)
		if got := len(Stream(requests)); got != 25 {
			t.Errorf("Stream: %d results, want 25", got)
		}
	})
}
