package drain

import (
	"testing"
	"time"
)

// Values spaced under the idle timeout all count, although together they take several
// timeouts: the timeout restarts on every pass; with nothing left it fires.
func TestDrainRestartsItsTimeout(t *testing.T) {
	within(t, 5*time.Second, func() {
		const idle = 200 * time.Millisecond
		q := make(chan int)
		go func() {
			for i := 1; i <= 10; i++ {
				time.Sleep(idle / 8)
				q <- i
			}
		}()
		if sum := Drain(q, idle); sum != 55 {
			t.Errorf("Drain = %d, want 55", sum)
		}
		Wait(3, time.Millisecond)
	})
}
