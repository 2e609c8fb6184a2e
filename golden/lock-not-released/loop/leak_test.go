package producer

import (
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		p := New()
		p.input <- "outside a transaction"
		if err := <-p.errors; err != errNoTxn {
			t.Fatalf("error = %v, want errNoTxn", err)
		}
		p.input <- "again" // the producer takes it, then blocks on the lock it kept
		p.Close()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d producers blocked on txnLock, started with %d", n-base, base)
	}
}
