// Package drained fans out over lists it holds and collects the results only after the
// launching loop: a semaphore there would deadlock once there are more items than slots,
// because a slot frees only when a goroutine's send is received.
package drained

import "sync"

// Prober probes targets and reports on its results channel.
type Prober struct {
	results chan string
	names   []string
}

func (p *Prober) probe(name string) {
	p.report(name + " ok")
}

func (p *Prober) report(msg string) {
	p.results <- msg
}

// ProbeAll starts a probe per name; each reports through a method that sends on
// p.results, which ProbeAll ranges over only after the loop.
func (p *Prober) ProbeAll() []string {
	for _, name := range p.names {
		go p.probe(name)
	}
	var out []string
	for range p.names {
		out = append(out, <-p.results)
	}
	return out
}

// lookup sends what it finds on ch.
func lookup(name string, ch chan<- string) error {
	ch <- name + " found"
	return nil
}

// Refresh looks every name up in parallel: the channel is handed to lookup, a goroutine
// closes it once every lookup is done, and the loop after the launches drains it.
func Refresh(names []string) []string {
	var wg sync.WaitGroup
	ch := make(chan string)
	wg.Add(len(names))
	for _, name := range names {
		go func(n string) {
			_ = lookup(n, ch)
			wg.Done()
		}(name)
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var out []string
	for r := range ch {
		out = append(out, r)
	}
	return out
}

// Each waits for its goroutines with a wait deferred before the loop.
func Each(names []string, do func(string)) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do(name)
		}()
	}
}

// Stream answers every request received: the answers are drained after the loop, so
// it is reported, but a bound would deadlock.
func Stream(requests <-chan string) []string {
	answers := make(chan string)
	n := 0
	for r := range requests {
		n++
		go func() { // want "goroutine started for every value received from requests"
			_ = lookup(r, answers)
		}()
	}
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, <-answers)
	}
	return out
}
