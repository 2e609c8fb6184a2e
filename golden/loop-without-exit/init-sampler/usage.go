// Package stat samples a usage figure for the life of the process: init starts the
// sampler once, so it cannot pile up and needs no stop; it is no finding.
package stat

import (
	"sync/atomic"
	"time"
)

var usage atomic.Int64

func init() {
	go func() {
		sample := time.NewTicker(250 * time.Millisecond)
		defer sample.Stop()
		report := time.NewTicker(time.Minute)
		defer report.Stop()
		for {
			select {
			case <-sample.C:
				usage.Add(1)
			case <-report.C:
				usage.Store(0)
			}
		}
	}()
}

// Usage is the current figure.
func Usage() int64 { return usage.Load() }

// Watch starts another sampler on every call, and nothing can stop one.
func Watch(every time.Duration, f func(int64)) {
	go func() {
		for range time.NewTicker(every).C { // want "ranging over .* never ends"
			f(usage.Load())
		}
	}()
}
