// Package service is a small Go service carrying the classic goroutine leaks, for
// gofixleaks to find and fix: try `gofixleaks fix --diff examples/leaky-service`.
// leak_test.go proves the run-time leaks: `go test` fails here and passes once fixed.
package service

import (
	"strings"
	"sync"
)

// Job is one unit of work.
type Job struct {
	ID      int
	Payload string
}

// Result is what processing a Job produced.
type Result struct {
	ID    int
	Words int
}

// ProcessAll handles every job concurrently and returns the results in job order.
func ProcessAll(jobs []Job) []Result {
	results := make([]Result, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = process(job)
		}()
	}
	wg.Wait()
	return results
}

// Dispatch handles each job received on jobs in a goroutine of its own and sends its
// result on results, until jobs is closed.
func Dispatch(jobs <-chan Job, results chan<- Result) {
	for job := range jobs {
		go func() {
			results <- process(job)
		}()
	}
}

func process(job Job) Result {
	return Result{ID: job.ID, Words: len(strings.Fields(job.Payload))}
}
