package collect

import "time"

// Collect waits for each job under its own timer; the deferred stops wait for the return.
func Collect(jobs []<-chan int, d time.Duration) (sum int) {
	for _, job := range jobs {
		t := time.NewTimer(d) // want "timer t from time.NewTimer is stopped by a defer inside a loop \\(line 9\\), so every iteration's timer waits for the function to return"
		defer t.Stop()
		select {
		case v := <-job:
			sum += v
		case <-t.C:
			continue
		}
	}
	return sum
}
