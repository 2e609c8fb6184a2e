package worker

import (
	"io"
	"log"
	"runtime"
	"testing"
	"time"
)

// A task starts every millisecond and each takes 300 ms: unbounded, about 200 run at
// once after 200 ms; bounded, at most 10 (max-goroutines) plus the launcher.
func TestLeak(t *testing.T) {
	log.SetOutput(io.Discard)
	launchEvery, taskTime = time.Millisecond, 300*time.Millisecond
	base := runtime.NumGoroutine()
	Start()
	time.Sleep(200 * time.Millisecond)
	if n := runtime.NumGoroutine() - base; n > 10+2 {
		t.Fatalf("goroutine leak: %d goroutines running at once, the bound is 10", n)
	}
}
