package transport

import (
	"testing"
	"time"
)

// Before Stop every yielded connection reaches the pool, and Dial sees it.
func TestYieldDelivers(t *testing.T) {
	within(t, 2*time.Second, func() {
		tr := New()
		tr.Start()
		defer tr.Stop()
		tr.Yield(1)
		tr.Yield(2)
		if n, err := tr.Dial("udp"); err != nil || n != 2 {
			t.Errorf("Dial = %d, %v; want 2, nil", n, err)
		}
	})
}
