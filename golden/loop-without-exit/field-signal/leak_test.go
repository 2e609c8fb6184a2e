package fieldsignal

import (
	"context"
	"runtime"
	"testing"
)

// Once the relay is closed its goroutine must end.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	r := Start(context.Background())
	r.in <- 1
	if v := <-r.out; v != 1 {
		t.Fatalf("relayed %d, want 1", v)
	}
	r.Close()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines after Close, started with %d", n, base)
	}
}
