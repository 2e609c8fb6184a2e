package debounce

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	var fired atomic.Int32
	d := &Debouncer{wait: 50 * time.Millisecond, fire: func() { fired.Add(1) }}
	for i := 0; i < 5; i++ {
		d.Trigger()
	}
	time.Sleep(200 * time.Millisecond)
	if n := fired.Load(); n != 1 {
		t.Fatalf("timer leak: %d replaced timers still fired, want one call", n)
	}
	d.Trigger()
	d.Forget()
	time.Sleep(200 * time.Millisecond)
	if n := fired.Load(); n != 1 {
		t.Fatalf("timer leak: a forgotten timer still fired (%d calls, want 1)", n)
	}
}
