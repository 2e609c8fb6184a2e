package fetch

import "sync"

// Sizes asks for the size of every name at once and returns the total.
func Sizes(names []string, size func(string) int) int {
	sizes := make(chan int)
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			sizes <- size(name)
		}(name)
	}
	total := 0
	for n := range sizes { // want "nothing closes sizes: reading it until it is closed never ends, so Sizes blocks forever after the last value"
		total += n
	}
	return total
}
