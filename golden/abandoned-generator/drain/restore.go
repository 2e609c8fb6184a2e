package restore

import (
	"context"
	"sync"
)

// First returns the first span that is ready, or false once ctx is done.
func First(ctx context.Context, spans int) bool {
	ready := make(chan bool, 2)
	go func() {
		defer close(ready)
		split(ready, spans)
	}()
	for span := range ready { // want "leaving this range over ready early abandons the goroutine producing it, blocked forever on its next send"
		select {
		case <-ctx.Done():
			return false
		default:
			return span
		}
	}
	return false
}

// Both probes each host twice on a buffer of one per host: a goroutine's second send can
// wait for good once the range is left.
func Both(hosts []string, probe func(string) bool) bool {
	var wg sync.WaitGroup
	found := make(chan bool, len(hosts))
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found <- probe(h)
			found <- probe(h + "/alt")
		}()
	}
	go func() {
		wg.Wait()
		close(found)
	}()
	for f := range found { // want "leaving this range over found early abandons the goroutine producing it"
		if f {
			return true
		}
	}
	return false
}
