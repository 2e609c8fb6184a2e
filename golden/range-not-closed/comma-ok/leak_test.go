package events

import (
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		Publish([]string{"a", "b"}, func(string) {})
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
