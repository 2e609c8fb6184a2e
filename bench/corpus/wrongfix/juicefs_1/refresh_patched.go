//go:build patched

package meta

// newLauncher is gofixleaks a06f251's fix (unbounded-goroutines): a 10-slot semaphore made
// before the loop, taken before each launch and given back as the goroutine returns.
func newLauncher() func(func()) {
	sem := make(chan struct{}, 10)
	return func(f func()) {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			f()
		}()
	}
}
