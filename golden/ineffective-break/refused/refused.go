package refused

import (
	"context"
	"time"
)

// Retry reconnects forever; its inner loop sits in the outer one: leaving it goes round that.
func Retry(ctx context.Context, connect func() <-chan int, sink func(int)) {
	for {
		in := connect()
		for {
			select {
			case <-ctx.Done():
				break // want "this break on <-ctx.Done\\(\\) leaves only the select"
			case v := <-in:
				sink(v)
			}
		}
	}
}

// Sum has results and ends with its loop: leaving it needs a return.
func Sum(done <-chan struct{}, in <-chan int) int {
	total := 0
	for {
		select {
		case <-done:
			break // want "this break on <-done leaves only the select"
		case v := <-in:
			total += v
		}
	}
}

// Report's code after the loop has never run.
func Report(ctx context.Context, in <-chan int, sink func(int), report func()) {
	for {
		select {
		case <-ctx.Done():
			break // want "this break on <-ctx.Done\\(\\) leaves only the select"
		case v := <-in:
			sink(v)
		}
	}
	report()
}

// Work ranges over jobs, which ends when jobs is closed: leaving earlier stops draining it.
func Work(ctx context.Context, jobs <-chan int, sink func(int)) {
	for j := range jobs {
		select {
		case <-ctx.Done():
			break // want "this break on <-ctx.Done\\(\\) leaves only the select, not the range around it: the loop goes on after the stop signal$"
		default:
			sink(j)
		}
	}
}

// Ticks ranges over a ticker's channel, which is never closed: the code after the loop has
// never run.
func Ticks(stop <-chan struct{}, t *time.Ticker, beat, after func()) {
	for range t.C {
		select {
		case <-stop:
			break // want "this break on <-stop leaves only the select, not the range around it: the loop goes on after the stop signal and never ends"
		default:
			beat()
		}
	}
	after()
}

// Beat ranges over a ticker its header makes: once the loop can end, nothing stops it.
func Beat(stop <-chan struct{}, d time.Duration, beat func()) {
	for range time.Tick(d) {
		select {
		case <-stop:
			break // want "this break on <-stop leaves only the select, not the range around it"
		default:
			beat()
		}
	}
}
