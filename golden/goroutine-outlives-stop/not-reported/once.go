package notreported

import (
	"sync"
	"time"
)

var (
	statsOnce sync.Once
	stats     = &Stats{}
)

// Stats is the process's one sampler, started in a package-level once.Do: it lives as long
// as the process, and Close only flushes.
type Stats struct{ samples int }

// Default starts the sampler the first time it is asked for.
func Default() *Stats {
	statsOnce.Do(func() {
		go func() {
			for range time.Tick(time.Second) {
				stats.samples++
			}
		}()
	})
	return stats
}

func (s *Stats) sample() {
	s.samples++
}

// Start is the same sampler, started by a method in the package-level once.Do.
func (s *Stats) Start() {
	statsOnce.Do(func() {
		go func() {
			for range time.Tick(time.Second) {
				s.sample()
			}
		}()
	})
}

func (s *Stats) Close() error { return nil }
