package lc

import (
	"errors"
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
	if n := leftOver(before); n > 0 {
		t.Fatalf("%d goroutines leaked by a failed run", n)
	}
}

// Leak proof: a failed put leaves no watcher behind.
func TestLeakFailedPutLeavesNoWatcherBehind(t *testing.T) {
	before := runtime.NumGoroutine()
	done := make(chan struct{})
	go func() {
		defer close(done)
		putAll(failing{t}, []string{"a", "b"}, func(string) error { return errors.New("put failed") })
	}()
	<-done
	if n := leftOver(before); n > 0 {
		t.Fatalf("%d goroutines leaked by a failed put", n)
	}
}

// leftOver is how many goroutines more than before are still running after a while.
func leftOver(before int) int {
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return runtime.NumGoroutine() - before
}
