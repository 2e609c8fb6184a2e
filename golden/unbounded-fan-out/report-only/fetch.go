package fetch

import "sync"

// Fetch gets every url at once; the results are drained only after the loop.
func Fetch(urls []string, get func(string) string) []string {
	results := make(chan string, len(urls))
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() { // want "one goroutine per element of urls"
			defer wg.Done()
			results <- get(u)
		}()
	}
	wg.Wait()
	close(results)
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out
}

// Apply runs f on every item at once; f's body is not known.
func Apply(items []int, f func(int)) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() { // want "one goroutine per element of items"
			defer wg.Done()
			f(it)
		}()
	}
	wg.Wait()
}

type client struct {
	call func(int) // a func field: x.call() runs code that cannot be followed
}

// Each calls every client at once.
func Each(clients []client) {
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() { // want "one goroutine per element of clients"
			defer wg.Done()
			c.call(i)
		}()
	}
	wg.Wait()
}
