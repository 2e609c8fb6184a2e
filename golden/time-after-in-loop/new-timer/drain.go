package drain

import "time"

// Drain reads until the queue stays quiet for idle; each pass makes a timer nobody stops.
func Drain(q <-chan int, idle time.Duration) (sum int) {
	for {
		select {
		case v := <-q:
			sum += v
		case <-time.NewTimer(idle).C: // want "time.NewTimer\\(idle\\).C in a select inside a loop makes a new timer on every pass"
			return sum
		}
	}
}

// Wait blocks on a fresh timer once per pass and nothing else: each one fires before the next.
func Wait(n int, d time.Duration) {
	for i := 0; i < n; i++ {
		<-time.NewTimer(d).C
	}
}
