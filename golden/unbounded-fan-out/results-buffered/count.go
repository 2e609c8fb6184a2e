package count

import (
	"strings"
	"sync"
)

func words(s string) int { return len(strings.Fields(s)) }

// Words counts the words of every text at once; each result has a slot of its own.
func Words(texts []string) int {
	counts := make(chan int, len(texts))
	var wg sync.WaitGroup
	for _, t := range texts {
		wg.Add(1)
		go func() { // want "one goroutine per element of texts"
			defer wg.Done()
			counts <- words(t)
		}()
	}
	wg.Wait()
	close(counts)
	total := 0
	for n := range counts {
		total += n
	}
	return total
}
