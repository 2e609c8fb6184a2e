package dispatch

import (
	"sync"
	"testing"
)

// Before Go 1.22 a loop variable is shared by all iterations: every job must still reach
// its handler exactly once.
func TestEveryJobHandledOnce(t *testing.T) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	seen := map[int]int{}
	jobs := make(chan int)
	wg.Add(100)
	go func() {
		for i := 0; i < 100; i++ {
			jobs <- i
		}
		close(jobs)
	}()
	Dispatch(jobs, func(job int) {
		defer wg.Done()
		mu.Lock()
		seen[job]++
		mu.Unlock()
	})
	wg.Wait()
	for i := 0; i < 100; i++ {
		if seen[i] != 1 {
			t.Fatalf("job %d handled %d times", i, seen[i])
		}
	}
}
