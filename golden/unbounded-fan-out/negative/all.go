package negative

import (
	"sync"
	"time"
)

func work(int) { time.Sleep(time.Millisecond) }

// Literal: a fixed width.
func Literal() {
	var wg sync.WaitGroup
	for _, n := range []int{1, 2, 3} {
		wg.Add(1)
		go func() { defer wg.Done(); work(n) }()
	}
	wg.Wait()
}

// Pool: a counted pool.
func Pool(n int) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); work(i) }()
	}
	wg.Wait()
}

// Sized: `for range xs` sizes a pool.
func Sized(xs []int) {
	var wg sync.WaitGroup
	for range xs {
		wg.Add(1)
		go func() { defer wg.Done(); work(0) }()
	}
	wg.Wait()
}

// Bounded: a semaphore before the launch.
func Bounded(xs []int) {
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, x := range xs {
		sem <- struct{}{}
		wg.Add(1)
		go func() { defer func() { <-sem }(); defer wg.Done(); work(x) }()
	}
	wg.Wait()
}

// FireAndForget: not waited for (unbounded-goroutines reports that).
func FireAndForget(xs []int) {
	for _, x := range xs {
		go work(x)
	}
}

// Own: a collection the function built itself.
func Own(n int) {
	var xs []int
	for i := 0; i < n; i++ {
		xs = append(xs, i)
	}
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		go func() { defer wg.Done(); work(x) }()
	}
	wg.Wait()
}

// LongLived: one loop per configured target, for the life of the service.
func LongLived(targets []string, stop chan struct{}) {
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					_ = t
				}
			}
		}()
	}
	wg.Wait()
}

// Indexed: one goroutine per index of a collection (cmd/link's per-kind array): a pool.
func Indexed(kinds [8][]int) {
	var wg sync.WaitGroup
	for k := range kinds {
		wg.Add(1)
		go func() { defer wg.Done(); work(len(kinds[k])) }()
	}
	wg.Wait()
}

type server struct{}

func (s *server) Shutdown() {}

// StopAll: a shutdown fan-out is parallel on purpose.
func StopAll(servers []*server) {
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() { s.Shutdown() })
	}
	wg.Wait()
}
