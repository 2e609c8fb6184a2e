// Package unfinished holds receivers that leave on a signal which does not mean the sender
// is done, and loops left by a break or a count that the senders do not match: each is
// reported.
package unfinished

import "time"

// Started leaves once the worker has started, which is before its send.
func Started(work func() int) int {
	out := make(chan int) // want "goroutines sending on unbuffered channel out block forever once its receiver takes another case of its select"
	started := make(chan struct{})
	go func() {
		close(started)
		out <- work()
	}()
	select {
	case v := <-out:
		return v
	case <-started:
		return 0
	}
}

// Other leaves on a signal closed by another goroutine than the sender.
func Other(work func() int, ready func()) int {
	out := make(chan int) // want "goroutines sending on unbuffered channel out block forever once its receiver takes another case of its select"
	done := make(chan struct{})
	go func() {
		ready()
		close(done)
	}()
	go func() {
		out <- work()
	}()
	select {
	case v := <-out:
		return v
	case <-done:
		return 0
	}
}

// Each starts a sender per job: the first to finish signals, the others still send.
func Each(jobs []func() int) int {
	out := make(chan int) // want "goroutines sending on unbuffered channel out block forever once its receiver takes another case of its select"
	done := make(chan struct{}, len(jobs))
	for _, job := range jobs {
		go func() {
			defer func() { done <- struct{}{} }()
			out <- job()
		}()
	}
	select {
	case v := <-out:
		return v
	case <-done:
		return 0
	}
}

// Rounds leaves the range over starts itself with the labeled break.
func Rounds(rounds int, poll func(int) bool) int {
	starts := make(chan int) // want "goroutines sending on unbuffered channel starts block forever once its receiver breaks out of its receive loop"
	go func() {
		defer close(starts)
		for i := 0; i < rounds; i++ {
			starts <- i
		}
	}()
	n := 0
rounds:
	for start := range starts {
		for {
			if poll(start) {
				break rounds
			}
			n++
		}
	}
	return n
}

// Shrinking compares the counter with a bound the loop changes: it may match twice.
func Shrinking(n int) {
	hit := make(chan int) // want "goroutines sending on unbuffered channel hit block forever once its receiver receives fewer values than its goroutines send"
	go func() {
		for i := 0; i < n; i++ {
			if i == n/2 {
				hit <- i
			}
			n--
		}
	}()
	<-hit
}

// Poll checks stop after waiting for done or a timeout: not only once the producer is done.
func Poll(produce func() (int, bool), stop func() bool, use func(int), patience time.Duration) {
	values := make(chan int) // want "goroutines sending on unbuffered channel values block forever once its receiver returns before it has received every send"
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			v, ok := produce()
			if !ok {
				return
			}
			values <- v
		}
	}()
	for {
		select {
		case <-done:
		case <-time.After(patience):
		}
		if stop() {
			return
		}
		use(<-values)
	}
}

// FirstOrWait waits for the producer's done only when the first value is not negative: the
// return before that wait leaves the producer blocked on its next send.
func FirstOrWait(produce func(int) int) int {
	done := make(chan struct{})
	values := make(chan int) // want "goroutines sending on unbuffered channel values block forever once its receiver receives fewer values than its goroutines send"
	go func() {
		defer close(done)
		for i := 0; i < 3; i++ {
			values <- produce(i)
		}
	}()
	first := <-values
	if first < 0 {
		return first
	}
	<-done
	return first
}
