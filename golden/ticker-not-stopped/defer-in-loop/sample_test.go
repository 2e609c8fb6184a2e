package sample

import (
	"testing"
	"time"
)

func TestSample(t *testing.T) {
	within(t, 5*time.Second, func() {
		one := func() int { return 1 }
		if sum := Sample([]func() int{one, one, one}, 3, time.Millisecond); sum != 9 {
			t.Errorf("Sample = %d, want 9", sum)
		}
	})
}
