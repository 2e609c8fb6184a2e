// Package lookalikes holds shapes from the Go standard library that this rule once
// reported although they cannot block for ever.
package lookalikes

import (
	"context"
	"sync"
)

type response struct{ id int }

type request struct {
	n  int
	ch chan error
}

type client struct {
	mu       sync.Mutex
	ctx      context.Context
	inFlight map[int]chan response
	sema     chan struct{}
	state    chan map[string]int
	writeCh  chan request
	errCh    chan error
}

func newClient(ctx context.Context) *client {
	return &client{
		ctx:      ctx,
		inFlight: map[int]chan response{},
		sema:     make(chan struct{}, 4),
		state:    make(chan map[string]int, 1),
		writeCh:  make(chan request),
		errCh:    make(chan error, 1),
	}
}

// readLoop: a reply channel looked up in a map is made (buffered) by whoever asked
// (cmd/go/internal/cache).
func (c *client) readLoop(next func() response) {
	for {
		res := next()
		c.mu.Lock()
		ch, ok := c.inFlight[res.id]
		c.mu.Unlock()
		if ok {
			ch <- res
		}
	}
}

// preload: the goroutine releases a semaphore slot its starter took (cmd/go/internal/load).
func (c *client) preload(ctx context.Context, paths []string, load func(context.Context, string)) {
	for _, p := range paths {
		select {
		case <-ctx.Done():
			return
		case c.sema <- struct{}{}:
			go func(p string) {
				load(ctx, p)
				<-c.sema
			}(p)
		}
	}
}

// serve: a channel used as a lock: take the state, give it back (cmd/go/internal/vcweb).
func (c *client) serve(ctx context.Context, conns <-chan string) {
	go func() {
		for name := range conns {
			s := <-c.state
			s[name]++
			c.state <- s
		}
	}()
}

// lookup: made with room for the one result, received by the starter (net).
func lookup(ctx context.Context, get func() ([]string, error)) ([]string, error) {
	type ret struct {
		addrs []string
		err   error
	}
	var ch chan ret
	if ctx.Err() == nil {
		ch = make(chan ret, 1)
		go func() {
			addrs, err := get()
			ch <- ret{addrs, err}
		}()
	}
	select {
	case r := <-ch:
		return r.addrs, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// watch: after cancellation the goroutine still hands its result to Wait on purpose
// (os/exec); a ctx case there would fire at once.
func (c *client) watch(resultc chan<- error) {
	select {
	case resultc <- nil:
		return
	case <-c.ctx.Done():
	}
	resultc <- c.ctx.Err()
}

func (c *client) start() {
	go c.watch(make(chan error))
}

// writeLoop: replies carried in the request and a buffered field (net/http).
func (c *client) writeLoop(write func(request) error) {
	for {
		select {
		case wr := <-c.writeCh:
			err := write(wr)
			c.errCh <- err
			wr.ch <- err
		}
	}
}

func (c *client) startWriter(write func(request) error) {
	go c.writeLoop(write)
}

// profile: the starter closes ch to release every waiter (runtime/pprof).
func profile(ctx context.Context, n int) {
	ch := make(chan int)
	defer close(ch)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			<-ch
			wg.Done()
		}()
	}
}

// first: the starter's closures receive the one buffered reply (net dnsclient).
func first(ctx context.Context, query func() int) int {
	lane := make(chan int, 1)
	ask := func() {
		go func() {
			lane <- query()
		}()
	}
	answer := func() int { return <-lane }
	ask()
	return answer()
}

func (c *client) startReader(next func() response) {
	go c.readLoop(next)
}

// conn: donec is closed by the loop's own cleanup, so it marks the loop's end, not a
// request to stop (x/net/quic, net/http's readLoop).
type conn struct {
	msgc  chan any
	donec chan struct{}
}

func (c *conn) start(handle func(any)) {
	go c.loop(handle)
}

func (c *conn) loop(handle func(any)) {
	defer c.cleanup()
	for {
		m := <-c.msgc
		if m == nil {
			return
		}
		handle(m)
	}
}

func (c *conn) cleanup() {
	c.finish()
}

func (x *conn) finish() {
	close(x.donec)
}
