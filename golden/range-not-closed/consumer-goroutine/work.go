package work

// Dispatch hands every job to a worker goroutine, one at a time, and returns once the last
// one was taken.
func Dispatch(jobs []string, handle func(string)) {
	queue := make(chan string)
	go func() {
		for job := range queue { // want "nothing closes queue: reading it until it is closed never ends, so the goroutine reading it blocks forever after the last value"
			handle(job)
		}
	}()
	for _, job := range jobs {
		queue <- job
	}
}
