package readend

import (
	"errors"
	"io"
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

// failing reads one byte and gives up: the copying goroutine stays blocked in Write.
type failing struct{}

func (failing) Put(name string, r io.Reader) error {
	r.Read(make([]byte, 1))
	return errors.New("disk full")
}

func TestLeakCopyObject(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := CopyObject(failing{}, "x", []byte("hello, world")); err == nil {
			t.Fatal("CopyObject did not fail")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
