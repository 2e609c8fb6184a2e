// Package nofix has unbounded launches whose fix needs a person, and accept and run loops,
// which are no finding.
package nofix

import (
	"io"
	"net"
	"sync"
)

// Collect drains the results only after the loop: a bound on the goroutines would
// deadlock as soon as every slot holds a goroutine blocked on its send.
func Collect(jobs <-chan int, work func(int) int) []int {
	results := make(chan int)
	n := 0
	for j := range jobs {
		n++
		go func() { // want "goroutine started for every value received from jobs"
			results <- work(j)
		}()
	}
	out := make([]int, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, <-results)
	}
	return out
}

// Serve answers every connection l accepts: each goroutine lives as long as its
// connection, so a semaphore would cap open connections, not work: no finding.
func Serve(l net.Listener, handle func(net.Conn)) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go handle(c)
	}
}

// Server tracks its open files under a mutex.
type Server struct {
	mu    sync.Mutex
	files map[io.Closer]struct{}
}

// Track launches with s.mu held: waiting there for a free slot would block the
// goroutines that need s.mu to finish.
func (s *Server) Track(added <-chan io.Closer) {
	for c := range added {
		s.mu.Lock()
		s.files[c] = struct{}{}
		go s.finish(c) // want "goroutine started for every value received from added"
		s.mu.Unlock()
	}
}

func (s *Server) finish(c io.Closer) {
	defer func() {
		s.mu.Lock()
		delete(s.files, c)
		s.mu.Unlock()
	}()
	c.Close()
}

// Drain takes its semaphore inside the goroutines and drains the results only after the
// loop: moved before the launch, the acquire would wait for goroutines blocked on their send.
func Drain(jobs []int, work func(int) int) []int {
	sem := make(chan struct{}, 4)
	results := make(chan int)
	for _, j := range jobs {
		go func() { // want "semaphore sem is acquired inside the goroutine"
			sem <- struct{}{}
			defer func() { <-sem }()
			results <- work(j)
		}()
	}
	out := make([]int, 0, len(jobs))
	for range jobs {
		out = append(out, <-results)
	}
	return out
}

// Session is a multiplexed connection.
type Session interface {
	AcceptStream() (net.Conn, error)
}

// Streams serves every stream of a session: an accept loop by another name, no finding.
func Streams(s Session, handle func(net.Conn)) {
	for {
		st, err := s.AcceptStream()
		if err != nil {
			return
		}
		go handle(st)
	}
}

// Hellos shakes hands with every connection handed over on conns: no finding.
func Hellos(conns <-chan net.Conn, hello func(net.Conn)) {
	for {
		c := <-conns
		go hello(c)
	}
}

// Dispatch handles requests in goroutines and answers inline: a run loop paced by its
// events (behind a full semaphore the answers the handlers wait for would never be read),
// no finding.
func Dispatch(msgs <-chan any, handle func(string), answer func(int)) {
	for {
		switch m := (<-msgs).(type) {
		case string:
			go handle(m)
		case int:
			answer(m)
		}
	}
}

// Codec reads one request after another from a connection's codec.
type Codec interface {
	ReadRequest() (int, error)
}

// ServeCodec answers each request of a connection in its own goroutine: a request loop,
// which a cap would stall (a call may wait for a later request): no finding.
func ServeCodec(codec Codec, call func(Codec, int)) {
	for {
		req, err := codec.ReadRequest()
		if err != nil {
			return
		}
		go call(codec, req)
	}
}
