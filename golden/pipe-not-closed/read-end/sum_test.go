package readend

import (
	"testing"
	"time"
)

// No-hang proofs: the whole stream is still read on the success path.
func TestSumAll(t *testing.T) {
	within(t, time.Second, func() {
		if got, err := Sum([]int{1, 2, 3, 4}); err != nil || got != 10 {
			t.Errorf("Sum = %d, %v; want 10, nil", got, err)
		}
	})
}

