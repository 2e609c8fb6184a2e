// Package stream serves events; the goroutine feeding a handler has no ctx of its own, but
// the handler's request carries one that ends when the handler returns.
package stream

import (
	"fmt"
	"net"
	"net/http"
)

// watch sends the events next yields on out until it runs out.
func watch(r *http.Request, next func() (string, bool), out chan<- string) {
	go func() {
		for {
			ev, ok := next()
			if !ok {
				return
			}
			out <- ev // want "send on out blocks forever once its receiver is gone, although r.Context\\(\\) could end the goroutine"
		}
	}()
}

// Events writes the first n events of an endless stream.
func Events(n int, next func() (string, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out := make(chan string)
		watch(r, next, out)
		for i := 0; i < n; i++ {
			fmt.Fprintln(w, <-out)
		}
	}
}

// accept hands over each connection l accepts: dropped on cancellation, a connection
// would stay open, so this is reported without a fix.
func accept(r *http.Request, l net.Listener, conns chan<- net.Conn) {
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c // want "send on conns blocks forever once its receiver is gone, although r.Context\\(\\) could end the goroutine"
		}
	}()
}

// Notifier hands each request's notice to a loop that lives as long as the process. The
// goroutine is meant to outlive the request: the request's end is no reason to drop the
// notice, and the receiver is not in view, so no finding.
type Notifier struct {
	notices chan string
}

// Handle queues a notice without making the client wait.
func (n *Notifier) Handle(w http.ResponseWriter, r *http.Request) {
	go func() {
		n.notices <- r.URL.Path
	}()
}
