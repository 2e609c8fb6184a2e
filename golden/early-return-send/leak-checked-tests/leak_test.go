package lc

import (
	"runtime"
	"testing"
	"time"
)

// failing stands for a test that fails: Fatal ends its goroutine, as testing's does.
type failing struct{ testing.TB }

func (failing) Fatal(...any) { runtime.Goexit() }

func (failing) Fatalf(string, ...any) { runtime.Goexit() }

// Leak proof: a failed run leaves no sender behind.
func TestLeakFailedRunLeavesNothingBehind(t *testing.T) {
	before := runtime.NumGoroutine()
	done := make(chan struct{})
	go func() {
		defer close(done)
		watch(failing{t}, func() error { time.Sleep(20 * time.Millisecond); return nil }, time.Millisecond)
	}()
	<-done
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine() - before; n > 0 {
		t.Fatalf("%d goroutines leaked by a failed run", n)
	}
}
