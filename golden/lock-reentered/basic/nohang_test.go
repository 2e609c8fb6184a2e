package registry

import (
	"sync"
	"testing"
	"time"
)

// Len, Remove and the other callers behave as before, also side by side.
func TestCallersUnchanged(t *testing.T) {
	r := New()
	within(t, 2*time.Second, func() {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = r.Len()
				r.Remove("none")
			}()
		}
		wg.Wait()
		if r.Len() != 0 {
			t.Errorf("Len = %d, want 0", r.Len())
		}
	})
}
