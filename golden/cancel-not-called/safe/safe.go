package safe

import (
	"context"
	"errors"
	"sync"
	"time"
)

// WithBudget returns the cancel func to the caller, who owns it.
func WithBudget(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, d)
	return ctx, cancel
}

// Server keeps its cancel func in a field and calls it in Close.
type Server struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func NewServer(parent context.Context) *Server {
	ctx, cancel := context.WithCancel(parent)
	return &Server{ctx: ctx, cancel: cancel}
}

func (s *Server) Close() { s.cancel() }

// Deferred is the textbook form.
func Deferred(parent context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithDeadline(parent, time.Now().Add(time.Second))
	defer cancel()
	return f(ctx)
}

// EveryPath calls cancel on each way out, explicitly.
func EveryPath(parent context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithCancelCause(parent)
	if err := f(ctx); err != nil {
		cancel(err)
		return err
	}
	cancel(nil)
	return nil
}

// InClosure cancels from a deferred closure.
func InClosure(parent context.Context, f func(context.Context) error) (err error) {
	ctx, cancel := context.WithTimeoutCause(parent, time.Second, errors.New("slow"))
	defer func() {
		if err != nil {
			err = errors.Join(err, context.Cause(ctx))
		}
		cancel()
	}()
	return f(ctx)
}

// Watcher cancels from the goroutine that waits for a stop signal.
func Watcher(parent context.Context, stop <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-stop:
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx
}

// AfterFunc hands cancel to the runtime, which calls it when the timer fires.
func AfterFunc(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	time.AfterFunc(time.Second, cancel)
	return ctx
}

// Reassigned fills an existing variable whose owner defers it.
func Reassigned(parent context.Context, d time.Duration, f func(context.Context) error) error {
	var cancel context.CancelFunc
	ctx := parent
	if d > 0 {
		ctx, cancel = context.WithTimeout(parent, d)
	} else {
		ctx, cancel = context.WithCancel(parent)
	}
	defer cancel()
	return f(ctx)
}

// Loop cancels at the end of every iteration, and before the early exits.
func Loop(parent context.Context, hosts []string, check func(context.Context, string) error) error {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		err := check(ctx, h)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// Stop returns a stop func that closes over cancel.
func Stop(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	return ctx, func() { cancel() }
}

// Switch cancels in every case.
func Switch(parent context.Context, mode int) {
	_, cancel := context.WithCancel(parent)
	switch mode {
	case 0:
		cancel()
		return
	default:
		cancel()
	}
}

// Async cancels from a goroutine of its own, so that Wait sees the cancellation.
func Async(parent context.Context, start func(context.Context) (wait func() error)) error {
	ctx, cancel := context.WithCancel(parent)
	wait := start(ctx)
	go cancel()
	return wait()
}

// Labeled leaves its loop by a labeled break and cancels after it.
func Labeled(parent context.Context, stop <-chan struct{}) {
	ctx, cancel := context.WithCancel(parent)
loop:
	for {
		select {
		case <-stop:
			break loop
		case <-ctx.Done():
		}
	}
	cancel()
}

// Panics cancels before panicking; the other path defers it.
func Panics(parent context.Context, f func(context.Context) error) {
	ctx, cancel := context.WithCancel(parent)
	if err := f(ctx); err != nil {
		cancel()
		panic(err)
	}
	defer cancel()
}

// Background derives from a context that is never done: nothing is registered, there is
// nothing to leak (go vet still asks for the call; this rule does not).
func Background(f func(context.Context) error) error {
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel
	return f(ctx)
}

// Guarded cancels in a deferred func that checks for nil first.
func Guarded(parent context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		if cancel != nil {
			cancel()
		}
	}()
	return f(ctx)
}

// OnFailure cancels in a deferred func only on failure, and hands the cancel func on otherwise.
func OnFailure(parent context.Context, f func(context.Context) error) (s *Server, err error) {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	if err = f(ctx); err != nil {
		return nil, err
	}
	return &Server{ctx: ctx, cancel: cancel}, nil
}

// Renewed cancels the old context before it makes a new one.
func Renewed(parent context.Context, attempts int, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	for i := 0; i < attempts && f(ctx) != nil; i++ {
		cancel()
		ctx, cancel = context.WithTimeout(parent, time.Second)
	}
	cancel()
	return ctx.Err()
}

// Once defers in a loop that always returns after the defer: nothing piles up.
func Once(parent context.Context, hosts []string, f func(context.Context, string) error) error {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel()
		return f(ctx, h)
	}
	return nil
}

// Latest cancels whatever the variable holds when it returns, and the old ones on the way.
func Latest(parent context.Context, attempts int, f func(context.Context) error) error {
	var cancel context.CancelFunc = func() {}
	defer func() { cancel() }()
	for i := 0; i < attempts; i++ {
		cancel()
		var ctx context.Context
		ctx, cancel = context.WithTimeout(parent, time.Second)
		if f(ctx) == nil {
			return nil
		}
	}
	return nil
}

// Expired retries only after the context is done: a done context needs no cancel.
func Expired(parent context.Context, ready <-chan struct{}) {
	for {
		ctx, cancel := context.WithTimeout(parent, time.Millisecond)
		select {
		case <-ctx.Done():
		case <-ready:
			cancel()
			return
		}
	}
}

// Waited waits for the deadline itself before it loops again.
func Waited(parent context.Context, try func(context.Context) bool) {
	for {
		ctx, cancel := context.WithTimeout(parent, time.Millisecond)
		if try(ctx) {
			cancel()
			return
		}
		<-ctx.Done()
	}
}

// Quiet checks that nothing arrives within a short deadline: it goes on only once the
// context is done, which released it.
func Quiet(parent context.Context, events <-chan int, recv func(context.Context, <-chan int) error) error {
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(parent, time.Millisecond)
		defer cancel()
		if err := recv(ctx, events); err != context.DeadlineExceeded {
			return errors.New("an event arrived")
		}
	}
	return nil
}

// ServeAll hands each connection's context to the goroutine that serves it; all of them
// are cancelled when the function returns.
func ServeAll(parent context.Context, conns []int, serve func(context.Context, int)) {
	var wg sync.WaitGroup
	for _, c := range conns {
		ctx, cancel := context.WithTimeout(parent, time.Minute)
		defer cancel()
		wg.Add(1)
		go func() {
			defer wg.Done()
			serve(ctx, c)
		}()
	}
	wg.Wait()
}

const probeTimeout = 50 * time.Millisecond

// Probe pings with contexts that expire within 50 ms: the defers in the loop hold nothing
// for long.
func Probe(parent context.Context, ping func(context.Context) error) bool {
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(parent, probeTimeout)
		defer cancel()
		if ping(ctx) == nil {
			return true
		}
	}
	return false
}

// Conn's context is cancelled by its pool's Close.
type Conn struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Pool holds the connections it closes.
type Pool struct {
	ctx   context.Context
	conns []*Conn
}

// Close cancels every connection's context.
func (p *Pool) Close() {
	for _, c := range p.conns {
		c.cancel()
	}
}

// Add puts the connection in the pool before its context is made (grpc's resetAddrConn):
// the pool holds it, and its Close cancels it; the cancel is not dropped when Add returns.
func (p *Pool) Add(dial func(context.Context)) {
	c := &Conn{}
	p.conns = append(p.conns, c)
	c.ctx, c.cancel = context.WithCancel(p.ctx)
	dial(c.ctx)
}

// Fetch cancels as it leaves while it owns the context; the flag is cleared only as the
// goroutine that cancels it takes it over (nats.go's Fetch).
func Fetch(parent context.Context, fail bool) <-chan int {
	var (
		ctx           = parent
		cancel        context.CancelFunc
		cancelContext = true
	)
	if ctx == nil {
		ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer func() {
		// only here if the fetching goroutine has not been started
		if cancelContext {
			cancel()
		}
	}()
	out := make(chan int, 1)
	if fail {
		close(out)
		return out
	}
	cancelContext = false
	go func() {
		defer cancel()
		<-ctx.Done()
		close(out)
	}()
	return out
}
