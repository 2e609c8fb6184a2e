package cache

import (
	"testing"
	"time"
)

// Set must come back: it used to wait for the write lock it holds.
func TestLeakSetReturns(t *testing.T) {
	c := New()
	within(t, 2*time.Second, func() {
		c.Set("k", "1")
		if old := c.Set("k", "2"); old != "1" {
			t.Errorf("Set = %q, want 1", old)
		}
	})
}
