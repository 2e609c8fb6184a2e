package registry

import (
	"testing"
	"time"
)

// Add must come back: it used to wait for the lock it holds.
func TestLeakAddReturns(t *testing.T) {
	r := New()
	within(t, 2*time.Second, func() {
		if n := r.Add("a", 1); n != 1 {
			t.Errorf("Add = %d, want 1", n)
		}
	})
}
