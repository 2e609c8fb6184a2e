// Package finished holds receivers that leave early only once the sender has made its
// last send: it signals that it is done (a close, or a send on another channel) and then
// sends no more, so no sender is left blocked. No finding here.
package finished

import (
	"errors"
	"time"
)

// Watch returns once the watcher closes done; watch's sends on events come before it.
func Watch(watch func() (int, bool), handle func(int)) error {
	events := make(chan int)
	done := make(chan struct{})
	go func() {
		for {
			v, ok := watch()
			if !ok {
				close(done)
				return
			}
			events <- v
		}
	}()
	for {
		select {
		case v := <-events:
			handle(v)
		case <-done:
			return nil
		}
	}
}

// First waits for the worker's result or its end without one (a deferred close runs after
// every send of the worker).
func First(work func() (string, error)) (string, error) {
	out := make(chan string)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s, err := work()
		if err != nil {
			return
		}
		out <- s
	}()
	select {
	case s := <-out:
		return s, nil
	case <-finished:
		return "", errors.New("no result")
	}
}

// Serve reads messages until the reader reports its error, which is its last action.
func Serve(read func() (string, error), handle func(string), patience time.Duration) {
	messages := make(chan string)
	errc := make(chan error, 1)
	go reader(read, messages, errc)
	timeout := time.NewTimer(patience)
	defer timeout.Stop()
	for {
		select {
		case m := <-messages:
			handle(m)
		case <-errc:
			return
		case <-timeout.C:
			// the caller's read gives up on its own deadline: wait for the error
		}
	}
}

func reader(read func() (string, error), messages chan<- string, errc chan<- error) {
	for {
		m, err := read()
		if err != nil {
			errc <- err
			return
		}
		messages <- m
	}
}

// Drain returns after waiting for the producer's end as a statement of its own.
func Drain(produce func() (int, bool), use func(int) bool) {
	values := make(chan int)
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
		case v := <-values:
			if use(v) {
				continue
			}
		case <-time.After(time.Second):
		}
		<-done
		return
	}
}

// Echo takes as many values as the echoer sends it, then waits for its defer close(done):
// were a value left unreceived, Echo itself would wait there for good, a hang its caller
// sees, so no sender can be stranded behind its back whatever the count. No finding.
func Echo(in int) (int, int) {
	done := make(chan struct{})
	requests := make(chan int)
	echoes := make(chan int)
	go func() {
		defer close(done)
		echoes <- 0
		for r := range requests {
			echoes <- r
		}
	}()
	first := <-echoes
	requests <- in
	second := <-echoes
	close(requests)
	<-done
	return first, second
}
