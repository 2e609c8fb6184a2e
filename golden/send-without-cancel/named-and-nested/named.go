package named

import (
	"context"
	"strings"
)

// Server streams events to a subscriber until its context ends.
type Server struct {
	ctx    context.Context
	events chan string
}

func (s *Server) Start(words []string) {
	go s.publish(words)
}

func (s *Server) publish(words []string) {
	for _, w := range words {
		s.events <- strings.ToUpper(w) // want "send on s.events blocks forever .* s.ctx could end"
	}
}

// Produce is started as a goroutine; stop ends it.
func Produce(stop <-chan struct{}, out chan<- int, n int) {
	go produce(stop, out, n)
}

func produce(stop <-chan struct{}, out chan<- int, n int) {
	for i := 0; i < n; i++ {
		out <- i // want "send on out blocks forever .* stop could end"
	}
}

// Serve registers a handler that answers each request from its own goroutine.
func Serve(register func(func(context.Context, string) <-chan string)) {
	register(func(rctx context.Context, r string) <-chan string {
		replies := make(chan string)
		go func() {
			replies <- strings.ToUpper(r) // want "send on replies blocks forever .* rctx could end"
		}()
		return replies
	})
}
