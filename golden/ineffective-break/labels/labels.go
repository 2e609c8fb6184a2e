package labels

import (
	"context"
	"time"
)

// Batches sinks every non-negative value of each batch until done fires; its loop already
// has a label, which the fix reuses.
func Batches(done <-chan struct{}, in <-chan []int, sink func(int)) {
outer:
	for {
		select {
		case <-done:
			break // want "this break on <-done leaves only the select"
		case batch := <-in:
			for _, v := range batch {
				if v < 0 {
					continue outer
				}
				sink(v)
			}
		}
	}
}

// Two runs two loops one after the other; the function already uses the label loop.
func Two(ctx context.Context, a, b <-chan int, quit chan struct{}, sink func(int)) {
loop:
	for _, v := range []int{1, 2} {
		if v > 1 {
			break loop
		}
		sink(v)
	}
	for {
		select {
		case v := <-a:
			sink(v)
		case <-ctx.Done():
			break // want "this break on <-ctx.Done\\(\\) leaves only the select, not the for loop around it \\(as do 1 more of its breaks\\)"
		case <-quit:
			break
		}
	}
}

// Either beats on every tick until ctx is done, or forwards a until ctx is done: two loops
// of one function, each given its own label.
func Either(ctx context.Context, tick *time.Ticker, a <-chan int, sink func(int)) {
	if tick != nil {
		for range tick.C {
			select {
			case <-ctx.Done():
				break // want "this break on <-ctx.Done\\(\\) leaves only the select, not the range around it: the loop goes on after the stop signal and never ends"
			default:
				sink(0)
			}
		}
	} else {
		for {
			select {
			case v := <-a:
				sink(v)
			case <-ctx.Done():
				break // want "this break on <-ctx.Done\\(\\) leaves only the select, not the for loop"
			}
		}
	}
}
