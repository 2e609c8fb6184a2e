// Package spawn counts its goroutines in a WaitGroup before it starts each one.
package spawn

import (
	"context"
	"sync"
	"time"
)

// Spawn adds to wg right before each launch: the slot is taken ahead of the Add, since
// a return between the two would leave wg.Wait() waiting for a goroutine never started.
func Spawn(ctx context.Context, wg *sync.WaitGroup, work func()) {
	for {
		wg.Add(1)
		go func() { // want "goroutine started in an endless loop"
			defer wg.Done()
			work()
		}()
		time.Sleep(time.Millisecond)
	}
}

// Apart has code that may leave the iteration between its Add and its launch: no place
// for a return is safe, so the slot is taken without one.
func Apart(ctx context.Context, wg *sync.WaitGroup, next func() (int, bool), work func(int)) {
	for {
		wg.Add(1)
		n, ok := next()
		if !ok {
			wg.Done()
			continue
		}
		go func() { // want "goroutine started in an endless loop"
			defer wg.Done()
			work(n)
		}()
	}
}
