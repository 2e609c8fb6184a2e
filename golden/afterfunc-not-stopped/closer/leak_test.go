package conn

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestLeak(t *testing.T) {
	var idled atomic.Int32
	c := &Conn{onIdle: func() { idled.Add(1) }}
	c.Arm(50 * time.Millisecond)
	c.Close()
	time.Sleep(200 * time.Millisecond)
	if n := idled.Load(); n != 0 {
		t.Fatalf("timer leak: the idle callback ran %d time(s) after Close", n)
	}
}
