package copyall

import (
	"runtime"
	"testing"
	"time"
)

// 200 files, 4 copied at a time: with the semaphore taken inside the goroutines, 196 of
// them sit blocked on it; taken before go, at most 4 exist at once.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	files := make([]string, 200)
	done := make(chan []error, 1)
	go func() {
		done <- CopyAll(files, func(string) error {
			time.Sleep(2 * time.Millisecond)
			return nil
		})
	}()
	peak := 0
	for deadline := time.Now().Add(5 * time.Second); len(done) == 0 && time.Now().Before(deadline); {
		peak = max(peak, runtime.NumGoroutine()-base)
		time.Sleep(time.Millisecond)
	}
	select {
	case errs := <-done:
		if len(errs) != len(files) {
			t.Fatalf("%d results for %d files", len(errs), len(files))
		}
	case <-time.After(time.Second):
		t.Fatal("CopyAll did not finish")
	}
	if peak > 4+2 {
		t.Fatalf("goroutine leak: %d goroutines at once to copy 4 files at a time", peak)
	}
}
