// Package meaning has channel operations where a select on the context would abandon
// work: the context's end is not "nobody will receive".
package meaning

import (
	"context"
	"time"
)

// Fetch cancels its work, then waits for the worker's last word: the worker was
// guaranteed that receive, so it is no finding.
func Fetch(ctx context.Context, work func(context.Context) int) int {
	ctx, cancel := context.WithCancel(ctx)
	res := make(chan int)
	go func() {
		res <- work(ctx)
	}()
	cancel()
	return <-res
}

// Pump forwards what recv returns; when recv fails (because ctx ended, too) the error is
// what the caller waits for: a select on ctx here would lose it half of the time.
func Pump(ctx context.Context, recv func(context.Context) (int, error), out chan<- int, errc chan<- error) {
	go func() {
		for {
			v, err := recv(ctx)
			if err != nil {
				errc <- err // want "send on errc blocks forever"
				return
			}
			out <- v // want "send on out blocks forever"
		}
	}()
}

// Serve waits up to a setup deadline for a first value, then forwards the rest: after
// the deadline the goroutine must keep forwarding.
func Serve(parent context.Context, in <-chan int, out chan<- int) {
	go func() {
		ctx, cancel := context.WithTimeout(parent, time.Millisecond)
		defer cancel()
		select {
		case v := <-in:
			out <- v
		case <-ctx.Done():
		}
		for v := range in {
			out <- v
		}
	}()
}

// Probe sends one result per target on a channel with room for all of them.
func Probe(ctx context.Context, targets []string, probe func(string) bool) <-chan bool {
	results := make(chan bool, len(targets))
	for _, t := range targets {
		go func() {
			results <- probe(t)
		}()
	}
	return results
}

// Watch reads a library's channel, which the library closes when ctx ends.
func Watch(ctx context.Context, watch func(context.Context) <-chan string, seen func(string)) {
	go func() {
		ch := watch(ctx)
		for {
			v, ok := <-ch
			if !ok {
				return
			}
			seen(v)
		}
	}()
}

// WatchFirst reads a library's channel made with a context derived from ctx: it closes
// when ctx ends, too.
func WatchFirst(ctx context.Context, watch func(context.Context) <-chan string, seen func(string)) {
	go watchFirst(ctx, watch, seen)
}

func watchFirst(ctx context.Context, watch func(context.Context) <-chan string, seen func(string)) {
	for {
		cctx, cancel := context.WithCancel(ctx)
		ch := watch(cctx)
		v, ok := <-ch
		cancel()
		if !ok {
			return
		}
		seen(v)
	}
}

// Result is one element of a stream, or the error that ended it.
type Result struct {
	V   int
	Err error
}

// Stream forwards values and ends with the error that stopped recv (ctx's end, too):
// returning on ctx instead would end the stream as if it had succeeded.
func Stream(ctx context.Context, recv func(context.Context) (int, error)) <-chan Result {
	out := make(chan Result, 1)
	go func() {
		defer close(out)
		for {
			v, err := recv(ctx)
			if err != nil {
				out <- Result{Err: err} // want "send on out blocks forever"
				return
			}
			out <- Result{V: v} // want "send on out blocks forever"
		}
	}()
	return out
}

// Outcome is what processing one job came to, its failure included.
type Outcome struct {
	Job int
	Err error
}

// Work sends each job's outcome, computed with ctx: once ctx ends, process returns the
// cancellation in it, and a select on ctx would drop that outcome at random while the
// reader still ranges over results (temporal's flakereport workers).
func Work(ctx context.Context, jobs <-chan int, results chan<- Outcome, process func(context.Context, int) Outcome) {
	go func() {
		for j := range jobs {
			outcome := process(ctx, j)
			results <- outcome // want "send on results blocks forever"
		}
	}()
}

// Response is one element of a reply stream, or the error that ended it.
type Response struct {
	Msg []byte
	Err error
}

// Forward closes out through a helper as it returns, and the stream reports its failure in
// band: a return on ctx would cut it without that error, and its reader would take the
// close for a clean end (minio's grid mux forwarder).
func Forward(ctx context.Context, in <-chan Response, out chan<- Response) {
	go func() {
		defer func() { safeClose(out) }()
		for r := range in {
			out <- r // want "send on out blocks forever"
		}
	}()
}

// Relay is Forward's near miss: its elements carry no error, so its close says nothing
// more than "no more values", which is what ending on ctx means too.
func Relay(ctx context.Context, in <-chan int, out chan<- int) {
	go func() {
		defer close(out)
		for v := range in {
			out <- v // want "send on out blocks forever"
		}
	}()
}

func safeClose(c chan<- Response) {
	defer func() { _ = recover() }()
	close(c)
}
