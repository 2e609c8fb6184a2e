package conn

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestIdleFiresWhileOpen(t *testing.T) {
	within(t, 5*time.Second, func() {
		var idled atomic.Int32
		c := &Conn{onIdle: func() { idled.Add(1) }}
		c.Arm(10 * time.Millisecond)
		time.Sleep(100 * time.Millisecond)
		if idled.Load() != 1 {
			t.Errorf("onIdle ran %d times, want 1", idled.Load())
		}
		c.Close()
		(&Conn{}).Close()
	})
}
