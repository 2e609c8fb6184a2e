package fetch

import (
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	results := make(chan int, 10)
	for i := 0; i < 10; i++ {
		go func() { results <- Sizes([]string{"a", "bb", "ccc"}, func(s string) int { return len(s) }) }()
	}
	for i := 0; i < 10; i++ {
		select {
		case got := <-results:
			if got != 6 {
				t.Fatalf("Sizes = %d, want 6", got)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("goroutine leak: Sizes never returned, %d goroutines running (started with %d)", runtime.NumGoroutine(), base)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
