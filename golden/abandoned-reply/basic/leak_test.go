package lookup

import (
	"runtime"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	slow := func(string) string { time.Sleep(50 * time.Millisecond); return "10.0.0.1" }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Lookup("db", time.Millisecond, slow); err != ErrTimeout {
			t.Fatalf("Lookup = %v, want ErrTimeout", err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
