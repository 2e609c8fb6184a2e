// Package collector hands contexts down to generators. Where every caller's context comes
// from context.Background() a select on it would change nothing: no finding. Where one
// caller can be cancelled, the generator should watch it.
package collector

import "context"

type lister interface {
	list(ctx context.Context, n int) <-chan int
}

type client struct{}

// list streams n values; its only caller hands down Gather's Background context.
func (c *client) list(ctx context.Context, n int) <-chan int {
	out := make(chan int, 8)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			out <- i
		}
	}()
	return out
}

type Collector struct {
	client lister
}

// Gather runs as a plugin's collection: nothing cancels its context.
func (s *Collector) Gather(n int) int {
	ctx := context.Background()
	return s.gather(ctx, n)
}

func (s *Collector) gather(ctx context.Context, n int) int {
	sum := 0
	for v := range s.client.list(ctx, n) {
		sum += v
	}
	return sum
}

// stream is handed a caller's context that can be cancelled: a real finding.
func stream(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			out <- i // want "send on out blocks forever"
		}
	}()
	return out
}

// First takes the first value and leaves; cancelling ctx frees the generator.
func First(ctx context.Context, n int) int {
	return <-stream(ctx, n)
}

// drain is called with a context its caller reassigned on the way: not Background any more.
func drain(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			out <- i // want "send on out blocks forever"
		}
	}()
	return out
}

func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithCancel(ctx)
}

func (s *Collector) count(ctx context.Context, n int) int {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	c := 0
	for v := range drain(ctx, n) {
		if v < 0 {
			break // a way out of the loop: drain's sender may be left waiting
		}
		c++
	}
	return c
}

// Count starts from Background, but count derives a cancellable context from it.
func (s *Collector) Count(n int) int {
	return s.count(context.Background(), n)
}
