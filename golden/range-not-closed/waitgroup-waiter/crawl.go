package crawl

import (
	"log"
	"sync"
)

// Crawl fetches every page at once and hands each result to report as it arrives; it
// returns at once.
func Crawl(pages []string, fetch func(string) string, report func(string)) {
	results := make(chan string)
	var wg sync.WaitGroup
	for _, page := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- fetch(page)
		}()
	}
	go func() {
		wg.Wait()
		log.Printf("fetched %d pages", len(pages))
	}()
	go func() {
		for r := range results { // want "nothing closes results: reading it until it is closed never ends, so the goroutine reading it blocks forever after the last value"
			report(r)
		}
	}()
}
