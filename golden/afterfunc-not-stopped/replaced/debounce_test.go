package debounce

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestQuietPeriodFires(t *testing.T) {
	within(t, 5*time.Second, func() {
		var fired atomic.Int32
		d := &Debouncer{wait: 10 * time.Millisecond, fire: func() { fired.Add(1) }}
		d.Trigger()
		time.Sleep(100 * time.Millisecond)
		d.Trigger()
		time.Sleep(100 * time.Millisecond)
		if n := fired.Load(); n != 2 {
			t.Errorf("fired %d times, want 2", n)
		}
		d.Trigger()
		d.Stop()
	})
}
