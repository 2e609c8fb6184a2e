package check

import (
	"net/http"
	"sync"
)

// All checks every url concurrently; the body is the goroutine's to close.
func All(client *http.Client, urls []string) map[string]bool {
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	up := make(map[string]bool, len(urls))
	for _, u := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			resp, err := client.Get(u) // want "the body of resp from client.Get is never closed"
			if err != nil {
				return
			}
			mu.Lock()
			up[u] = resp.StatusCode == http.StatusOK
			mu.Unlock()
		}(u)
	}
	wg.Wait()
	return up
}
