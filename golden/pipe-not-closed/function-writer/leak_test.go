package sum

import (
	"errors"
	"runtime"
	"testing"
)

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
