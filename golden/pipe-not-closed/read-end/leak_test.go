package readend

import (
	"runtime"
	"testing"
)

// Sum refuses the second number: the producer stays blocked writing the third one.
func TestLeakSum(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Sum([]int{1, -1, 2, 3}); err == nil {
			t.Fatal("Sum did not fail")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
