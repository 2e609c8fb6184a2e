package sum

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

func settle(base int) int { // poll until back to base or 2 s pass
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLeak(t *testing.T) {
	fail := func(string) ([]byte, error) { return nil, errors.New("gone") }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Checksum([]string{"a"}, fail); err == nil {
			t.Fatal("Checksum did not fail")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
