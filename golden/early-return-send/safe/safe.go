package safe

import (
	"context"
	"time"
)

// Buffered already has room for the one send.
func Buffered(d time.Duration, ask func() string) string {
	ch := make(chan string, 1)
	go func() { ch <- ask() }()
	select {
	case r := <-ch:
		return r
	case <-time.After(d):
		return ""
	}
}

// Guarded senders give up when ctx is done.
func Guarded(ctx context.Context, ask func() string) string {
	ch := make(chan string)
	go func() {
		select {
		case ch <- ask():
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-ch:
		return r
	case <-ctx.Done():
		return ""
	}
}

// Signal is only closed: a close never blocks.
func Signal(d time.Duration, work func()) bool {
	done := make(chan struct{})
	go func() {
		work()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// Passed hands the channel to a worker that may do anything with it.
func Passed(worker func(chan<- int)) int {
	ch := make(chan int)
	go worker(ch)
	return <-ch
}

// All receives every send before returning.
func All(xs []int, f func(int) int) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- f(x) }()
	}
	sum := 0
	for range xs {
		sum += <-ch
	}
	return sum
}

// Drained waits for the sender on the timeout path too.
func Drained(d time.Duration, kill func(), wait func() error) error {
	done := make(chan error)
	go func() { done <- wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		kill()
		return <-done
	}
}

// Ranged reads until the producer closes the channel.
func Ranged(lines []string) []string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		for _, l := range lines {
			ch <- l
		}
	}()
	var out []string
	for l := range ch {
		out = append(out, l)
	}
	return out
}

// Counted returns from an endless loop only once every worker has reported.
func Counted(n int, work func()) {
	done := make(chan bool)
	for i := 0; i < n; i++ {
		go func() {
			work()
			done <- true
		}()
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			n--
			if n == 0 {
				return
			}
		case <-tick.C:
		}
	}
}

// OneThenExit returns after the only value arrives.
func OneThenExit(ask func() (string, error)) (string, error) {
	type res struct {
		s   string
		err error
	}
	ch := make(chan res)
	go func() {
		s, err := ask()
		ch <- res{s, err}
	}()
	r := <-ch
	if r.err != nil {
		return "", r.err
	}
	return r.s, nil
}
