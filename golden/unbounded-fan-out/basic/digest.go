package digest

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"
)

var (
	delay   time.Duration // how long one digest takes; tests lengthen it
	running atomic.Int64  // digests in progress
	peak    atomic.Int64  // the most that ran at once
)

func digest(b []byte) [32]byte {
	n := running.Add(1)
	for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
	}
	time.Sleep(delay)
	running.Add(-1)
	return sha256.Sum256(b)
}

// All digests every blob at once and returns the digests in order.
func All(blobs [][]byte) [][32]byte {
	out := make([][32]byte, len(blobs))
	var wg sync.WaitGroup
	for i, b := range blobs {
		wg.Add(1)
		go func() { // want "one goroutine per element of blobs, which the caller supplies, with nothing bounding how many run at once: a large input starts as many goroutines"
			defer wg.Done()
			out[i] = digest(b)
		}()
	}
	wg.Wait()
	return out
}
