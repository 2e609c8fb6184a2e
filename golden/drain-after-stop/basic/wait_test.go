package reminder

import (
	"testing"
	"time"
)

// The timer fires first: fire runs and Wait returns, before and after the fix.
func TestFires(t *testing.T) {
	fired := false
	within(t, 5*time.Second, func() { Wait(time.Millisecond, make(chan struct{}), func() { fired = true }) })
	if !fired {
		t.Fatal("fire did not run")
	}
}
