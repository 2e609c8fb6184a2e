// Package feed streams values to HTTP clients. The goroutine feeding a stream has no ctx;
// context plumbing gives its function one, and the handler that calls it passes its
// request's context, which ends when the handler returns.
package feed

import (
	"fmt"
	"net/http"
)

// stream sends next's values on the channel it returns, for as long as someone reads; it
// closes the channel when it returns, so that a reader still receiving once the request's
// context ended gets "" instead of waiting forever.
func stream(next func() string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for {
			out <- next() // want "send on out blocks forever once its receiver is gone, although ctx could end the goroutine"
		}
	}()
	return out
}

// Handler writes the first n values of the stream to the client.
func Handler(n int, next func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		vals := stream(next)
		for i := 0; i < n; i++ {
			fmt.Fprintln(w, <-vals)
		}
	}
}

// ticks sends on the channel it returns; its only caller has no context to give it, so
// plumbing would pass context.TODO() and change nothing. With no signal in scope and none
// to plumb, this rule has nothing to say.
func ticks(next func() int) <-chan int {
	out := make(chan int)
	go func() {
		for {
			out <- next()
		}
	}()
	return out
}

// First returns the first tick.
func First(next func() int) int {
	return <-ticks(next)
}

// rawStream is stream without the close: a handler reading it with a plain receive would
// wait forever once the client left and the new case ended the goroutine, so the request's
// context is not passed and, with no other context to pass, nothing is plumbed.
func rawStream(next func() string) <-chan string {
	out := make(chan string)
	go func() {
		for {
			out <- next()
		}
	}()
	return out
}

// RawHandler writes the first n values of a raw stream.
func RawHandler(n int, next func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		vals := rawStream(next)
		for i := 0; i < n; i++ {
			fmt.Fprintln(w, <-vals)
		}
	}
}
