// Package notfixed sends one call below its goroutines where a buffer is not proven safe,
// or where the construct is not this rule's.
package notfixed

import (
	"context"
	"log"
	"time"
)

// report sends err and then logs: with a buffer, the log would run after the receiver left.
func report(err error, errc chan<- error) {
	errc <- err
	log.Print("reported")
}

// Both returns the first error of a and b.
func Both(a, b func() error) error {
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver returns before it has received every send"
	go func() { report(a(), errc) }()
	go func() { report(b(), errc) }()
	for i := 0; i < 2; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Two hands errc to push, declared in another file of the package.
func Two(a, b func() error) error {
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver returns before it has received every send"
	go func() { push(a(), errc) }()
	go func() { push(b(), errc) }()
	for i := 0; i < 2; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// stream sends every line: how many is not known.
func stream(lines []string, out chan<- string) {
	for _, l := range lines {
		out <- l
	}
}

// Head returns the first line.
func Head(lines []string) string {
	ch := make(chan string) // want "goroutines sending on unbuffered channel ch block forever once its receiver receives fewer values than its goroutines send"
	go func() { stream(lines, ch) }()
	return <-ch
}

// pingPong receives as well as sends: a protocol, not a result.
func pingPong(ch chan int) {
	v := <-ch
	ch <- v + 1
}

// Ping is no result channel.
func Ping() int {
	ch := make(chan int)
	go func() { pingPong(ch) }()
	ch <- 1
	return <-ch
}

// offer gives up on ctx: its send can never block forever.
func offer(ctx context.Context, v int, ch chan<- int) {
	select {
	case ch <- v:
	case <-ctx.Done():
	}
}

// Offered's sender watches ctx.
func Offered(ctx context.Context, fail bool) int {
	ch := make(chan int)
	go func() { offer(ctx, 1, ch) }()
	if fail {
		return 0
	}
	return <-ch
}

// lookup answers on reply.
func lookup(key string, reply chan<- string) {
	reply <- key
}

// Lookup hands reply to a helper and waits in a select: abandoned-reply's finding, not this rule's.
func Lookup(key string, d time.Duration) string {
	reply := make(chan string)
	go lookup(key, reply)
	select {
	case v := <-reply:
		return v
	case <-time.After(d):
		return ""
	}
}

// Handed passes the closure on: who calls it, and how often, is not known here.
func Handed(run func(func(int)), d time.Duration) int {
	ch := make(chan int)
	send := func(v int) { ch <- v }
	go func() { send(1) }()
	run(send)
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		return 0
	}
}
