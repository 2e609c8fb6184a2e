package negative

import (
	"context"
	"sync"
)

func gen(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func one() <-chan int {
	out := make(chan int, 1)
	go func() { out <- 42 }()
	return out
}

func slice(n int) []int { return make([]int, n) }

// Sum reads everything: the generator ends with its close.
func Sum(ctx context.Context) int {
	s := 0
	for v := range gen(ctx, 10) {
		s += v
	}
	return s
}

// One leaves after the only value: the buffer holds it anyway.
func One() int {
	for v := range one() {
		return v
	}
	return 0
}

// NotAGenerator ranges over a slice.
func NotAGenerator() int {
	for i := range slice(3) {
		if i > 1 {
			return i
		}
	}
	return 0
}

// AnyFound probes every host at once and stops at the first hit: the channel has room for
// one result per probe, so the probes still running after the return finish anyway.
func AnyFound(hosts []string, probe func(string) bool) bool {
	var wg sync.WaitGroup
	found := make(chan bool, len(hosts))
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if probe(h) {
				found <- true
			}
		}()
	}
	go func() {
		wg.Wait()
		close(found)
	}()
	for f := range found {
		if f {
			return true
		}
	}
	return false
}

// Forward leaves only once ctx is done, the context gen watches on every send: gen stops
// too, so nothing is abandoned.
func Forward(ctx context.Context, out chan<- int) {
	for v := range gen(ctx, 100) {
		select {
		case out <- v:
		case <-ctx.Done():
			return
		}
	}
}
