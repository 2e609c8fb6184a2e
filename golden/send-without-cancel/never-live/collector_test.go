package collector

import (
	"testing"
	"time"
)

// Every value still arrives, and nothing hangs: the Background chain is left as it was.
func TestEverythingArrives(t *testing.T) {
	within(t, 10*time.Second, func() {
		s := &Collector{client: &client{}}
		if got := s.Gather(20); got != 190 {
			t.Errorf("Gather = %d, want 190", got)
		}
		if got := s.Count(20); got != 20 {
			t.Errorf("Count = %d, want 20", got)
		}
	})
}
