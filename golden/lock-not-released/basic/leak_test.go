package msg

import (
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		m := &Msg{}
		if err := m.Ack(); err != nil {
			t.Fatalf("first Ack = %v", err)
		}
		if err := m.Ack(); err != errAcked {
			t.Fatalf("second Ack = %v, want errAcked", err)
		}
		go m.Acked() // blocks forever if the second Ack kept the lock
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines blocked on the message's lock, started with %d", n-base, base)
	}
}
