package sum

import (
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	results := make(chan int, 10)
	for i := 0; i < 10; i++ {
		go func() { results <- Squares([]int{1, 2, 3}) }()
	}
	for i := 0; i < 10; i++ {
		select {
		case got := <-results:
			if got != 14 {
				t.Fatalf("Squares = %d, want 14", got)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("goroutine leak: Squares never returned, %d goroutines running (started with %d)", runtime.NumGoroutine(), base)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
