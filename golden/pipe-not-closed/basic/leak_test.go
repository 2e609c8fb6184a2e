package upload

import (
	"io"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		go Upload(func() {}, func(r io.Reader) error { _, err := io.ReadAll(r); return err }) // a func cannot be encoded
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
