// Package joined fans out over collections it already holds and waits for every
// goroutine before returning: deliberate parallelism, bounded by the input.
package joined

import "sync"

// Parse parses every file in parallel.
func Parse(files []string, parse func(string) error) []error {
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = parse(f)
		}()
	}
	wg.Wait()
	return errs
}

// Compress compresses every section and collects the results from a channel.
func Compress(sections map[string][]byte, compress func([]byte) []byte) map[string][]byte {
	type result struct {
		name string
		data []byte
	}
	results := make(chan result)
	for name, data := range sections {
		go func() {
			results <- result{name, compress(data)}
		}()
	}
	out := make(map[string][]byte, len(sections))
	for range sections {
		r := <-results
		out[r.name] = r.data
	}
	return out
}

// Serial runs each test in a goroutine of its own but waits for it before the next.
func Serial(tests <-chan func(chan<- bool)) bool {
	ok := true
	for run := range tests {
		signal := make(chan bool)
		go run(signal)
		ok = <-signal && ok
	}
	return ok
}

// Stress keeps one goroutine at a time running until stop fires.
func Stress(stop <-chan struct{}, work func()) {
	c := make(chan bool)
	for {
		go func() {
			work()
			c <- true
		}()
		select {
		case <-stop:
			<-c
			return
		case <-c:
		}
	}
}

// Gather runs one goroutine per collector, and each of those one per item of its list; the
// items' goroutines join the same group, which Gather waits for.
func Gather(collectors map[string][]string, fetch func(string, string, *sync.WaitGroup)) {
	var wg sync.WaitGroup
	for name, items := range collectors {
		wg.Add(1)
		go func(name string, items []string) {
			defer wg.Done()
			for _, item := range items {
				wg.Add(1)
				go fetch(name, item, &wg)
			}
		}(name, items)
	}
	wg.Wait()
}
