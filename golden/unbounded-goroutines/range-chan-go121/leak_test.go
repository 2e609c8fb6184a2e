package dispatch

import (
	"runtime"
	"testing"
	"time"
)

// 100 jobs arrive as fast as they can be taken and each takes 20 ms: unbounded, they all
// run together; bounded, at most 4 (max-goroutines in .gofixleaks.toml) run at once.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	jobs := make(chan int, 100)
	for i := 0; i < 100; i++ {
		jobs <- i
	}
	close(jobs)
	handled := make(chan int, 100)
	done := make(chan struct{})
	go func() {
		Dispatch(jobs, func(job int) {
			time.Sleep(20 * time.Millisecond)
			handled <- job
		})
		close(done)
	}()
	peak := 0
	for deadline := time.Now().Add(5 * time.Second); len(handled) < 100 && time.Now().Before(deadline); {
		peak = max(peak, runtime.NumGoroutine()-base)
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Dispatch did not return after jobs was closed")
	}
	if peak > 4+2 {
		t.Fatalf("goroutine leak: %d goroutines at once for 100 jobs, the bound is 4", peak)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
