package safe

import (
	"context"
	"time"
)

// Gen already gives up when ctx ends.
func Gen(ctx context.Context, nums ...int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for _, n := range nums {
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// TrySend never blocks: the select has a default.
func TrySend(ctx context.Context, out chan<- int) {
	go func() {
		select {
		case out <- 1:
		default:
		}
	}()
}

// First: the caller receives and may leave early; buffering is early-return-send's fix.
func First(ctx context.Context, f func() int) int {
	ch := make(chan int)
	go func() {
		ch <- f()
	}()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}

// Async: one send on a buffered channel cannot block.
func Async(ctx context.Context, f func() error) <-chan error {
	errc := make(chan error, 1)
	go func() {
		errc <- f()
	}()
	return errc
}

// Waiters on the signal itself, on timers and on a stop channel end by design.
func Wait(ctx context.Context, quit chan bool, cleanup func()) {
	go func() {
		<-ctx.Done()
		cleanup()
	}()
	go func() {
		<-time.After(time.Second)
		<-quit
	}()
}

// Background contexts are never cancelled: watching them would change nothing.
func Detached(out chan<- int) {
	ctx := context.Background()
	_ = ctx
	go func() {
		out <- 1
	}()
}

// No signal in scope: threading one through is another rule's job.
func NoSignal(out chan<- int) {
	go func() {
		out <- 1
	}()
}

// done marks this goroutine's own end, so it is no cancellation signal for it.
func Own(out chan<- int) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		out <- 1
	}()
	return done
}

// A value received inside an expression is left alone.
func Expr(ctx context.Context, in <-chan int, use func(int)) {
	go func() {
		use(<-in)
	}()
}

// Stream reports at most one error on a channel with room for it: every send on errc
// returns right after, or is the last thing the goroutine does (a scanner's error).
func Stream(ctx context.Context, next func() (int, bool), check func(int) error, final func() error) (<-chan int, <-chan error) {
	out := make(chan int, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(out)
		for {
			v, ok := next()
			if !ok {
				break
			}
			if err := check(v); err != nil {
				errc <- err
				return
			}
			select {
			case <-ctx.Done():
				errc <- ctx.Err()
				return
			case out <- v:
			}
		}
		if err := final(); err != nil {
			errc <- err
		}
	}()
	return out, errc
}
