// Package feed streams values to HTTP clients. The goroutine feeding a stream has no ctx;
// context plumbing gives its function one, and the handler that calls it passes its
// request's context, which ends when the handler returns.
package feed

import (
	"fmt"
	"net/http"
)

// stream sends next's values on the channel it returns, for as long as someone reads.
func stream(next func() string) <-chan string {
	out := make(chan string)
	go func() {
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
