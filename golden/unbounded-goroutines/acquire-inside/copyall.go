// Package copyall copies files in parallel.
package copyall

import "sync"

// CopyAll copies every file, with at most 4 open at a time.
func CopyAll(files []string, copyFile func(string) error) []error {
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sema := make(chan struct{}, 4) // limit open file descriptors
	for i, f := range files {
		wg.Add(1)
		go func() { // want "semaphore sema is acquired inside the goroutine: it bounds the work, not the number of goroutines"
			sema <- struct{}{}
			defer func() {
				<-sema
				wg.Done()
			}()
			errs[i] = copyFile(f)
		}()
	}
	wg.Wait()
	return errs
}
