package worker

import (
	"context"
	"io"
	"log"
	"runtime"
	"testing"
	"time"
)

// The launcher starts a task every millisecond and each takes 300 ms: unbounded, about
// 300 run at once; bounded, at most 10 (max-goroutines) plus the launcher.
func TestLeak(t *testing.T) {
	log.SetOutput(io.Discard)
	launchEvery, taskTime = time.Millisecond, 300*time.Millisecond
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		StartWorker(ctx)
		close(stopped)
	}()
	time.Sleep(200 * time.Millisecond)
	running := runtime.NumGoroutine() - base
	cancel()
	if running > 10+2 {
		t.Fatalf("goroutine leak: %d goroutines running at once, the bound is 10", running)
	}
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("goroutine leak: the launcher does not stop when its context is cancelled")
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
