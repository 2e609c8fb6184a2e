package inloop

import "time"

// Each waits for every job in turn, each under its own timer: a defer would pile up.
func Each(jobs []<-chan int, d time.Duration) (sum int) {
	for _, job := range jobs {
		t := time.NewTimer(d) // want "timer t .* never stopped"
		select {
		case v := <-job:
			sum += v
		case <-t.C:
		}
	}
	return sum
}
