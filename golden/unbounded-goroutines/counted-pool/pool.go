// Package pool starts fixed-size worker pools: the count, not the input, sets how many
// goroutines run.
package pool

import "sync"

// Run starts n workers that drain jobs.
func Run(n int, jobs <-chan int, work func(int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				work(j)
			}
		}()
	}
	wg.Wait()
}

// RunRange is Run written with a range over an integer.
func RunRange(n int, jobs <-chan int, work func(int)) {
	for range n {
		go drain(jobs, work)
	}
}

// RunEach gives each worker its own inbox; the slice is made with the pool's size.
func RunEach(n int, work func(int)) []chan int {
	inboxes := make([]chan int, n)
	for i := range inboxes {
		inboxes[i] = make(chan int, 1)
		go drain(inboxes[i], work)
	}
	return inboxes
}

// Replicas starts one identical replica per configured slot.
func Replicas(slots []string, serve func()) {
	for range slots {
		go serve()
	}
}

func drain(jobs <-chan int, work func(int)) {
	for j := range jobs {
		work(j)
	}
}

// Config sets the pool's size.
type Config struct {
	Workers int
}

// RunConfigured starts one worker per configured slot: a range over an integer field.
func RunConfigured(cfg Config, work func(int)) {
	for i := range cfg.Workers {
		go work(i)
	}
}
