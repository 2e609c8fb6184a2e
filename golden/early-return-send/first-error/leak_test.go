package group

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	failFast := func(i int) error {
		if i == 0 {
			return errors.New("boom")
		}
		time.Sleep(20 * time.Millisecond)
		return nil
	}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Each(4, failFast); err == nil {
			t.Fatal("Each: want the error")
		}
		if err := Both(func() error { return failFast(0) }, func() error { return failFast(1) }); err == nil {
			t.Fatal("Both: want the error")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
