// Package bounded launches goroutines that already take a semaphore slot first.
package bounded

import "context"

// Handle bounds the handlers with a channel semaphore.
func Handle(jobs <-chan int, handle func(int)) {
	sem := make(chan struct{}, 8)
	for job := range jobs {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			handle(job)
		}()
	}
}

// Preload takes the slot in a select that also watches for cancellation, and passes
// the semaphore on to the worker, which releases it.
func Preload(ctx context.Context, paths <-chan string, sema chan struct{}) {
	for path := range paths {
		select {
		case <-ctx.Done():
			return
		case sema <- struct{}{}:
			go load(path, sema)
		}
	}
}

func load(path string, sema chan struct{}) {
	defer func() { <-sema }()
	_ = path
}

// Weighted is the shape of golang.org/x/sync/semaphore.Weighted.
type Weighted struct{ slots chan struct{} }

// Acquire takes one slot.
func (w *Weighted) Acquire(ctx context.Context, n int64) error {
	select {
	case w.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Release gives one slot back.
func (w *Weighted) Release(n int64) { <-w.slots }

// Fetch bounds the fetches with a weighted semaphore.
func Fetch(ctx context.Context, w *Weighted, urls <-chan string, fetch func(string)) error {
	for u := range urls {
		if err := w.Acquire(ctx, 1); err != nil {
			return err
		}
		go func() {
			defer w.Release(1)
			fetch(u)
		}()
	}
	return nil
}

// Tokens hands out tokens from a pool; each goroutine gives its token back.
func Tokens(tokens chan int, conns <-chan string, serve func(string, int)) {
	for c := range conns {
		tok := <-tokens
		go func() {
			defer func() { tokens <- tok }()
			serve(c, tok)
		}()
	}
}
