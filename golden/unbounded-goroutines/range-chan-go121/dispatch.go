// Package dispatch hands jobs to handlers.
package dispatch

// Dispatch hands each job received on jobs to handle, in a goroutine of its own, until
// jobs is closed.
func Dispatch(jobs <-chan int, handle func(int)) {
	for job := range jobs {
		go handle(job) // want "goroutine started for every value received from jobs with nothing bounding it"
	}
}
