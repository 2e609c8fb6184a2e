package collect

import (
	"testing"
	"time"
)

func TestCollectSumsAndTimesOut(t *testing.T) {
	within(t, 5*time.Second, func() {
		ready := make(chan int, 1)
		ready <- 4
		stuck := make(chan int)
		if sum := Collect([]<-chan int{ready, stuck, ready}, 20*time.Millisecond); sum != 4 {
			t.Errorf("Collect = %d, want 4", sum)
		}
	})
}
