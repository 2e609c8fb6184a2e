package reportonly

import (
	"context"
	"io"
	"sync"
)

// Fan sends each value; a return before wg.Done() would hang wg.Wait().
func Fan(ctx context.Context, wg *sync.WaitGroup, vals []int, out chan<- int) {
	for _, v := range vals {
		wg.Add(1)
		go func(v int) {
			out <- v // want "send on out blocks forever"
			wg.Done()
		}(v)
	}
}

// Read receives into a new variable from a field of a struct declared in another file,
// so the rule cannot spell the variable's type ahead of a select.
func (h *hub) Read(ctx context.Context, use func([]byte)) {
	go func() {
		b := <-h.in // want "receive from h.in blocks forever"
		use(b)
	}()
}

// Compute's goroutine function has a result, so a bare return would not compile.
func Compute(ctx context.Context, out chan<- int) {
	go func() int {
		out <- 42 // want "send on out blocks forever"
		return 42
	}()
}

// Two on one line are left for a person to split.
func Two(ctx context.Context, a, b chan<- int) {
	go func() {
		a <- 1; b <- 2 // want "send on a blocks forever" "send on b blocks forever"
	}()
}

// Relay's goroutine closes the connection after its send: a return would leak it.
func Relay(ctx context.Context, c io.Closer, out chan<- int) {
	go func() {
		out <- 1 // want "send on out blocks forever"
		c.Close()
	}()
}

// Gather's goroutine waits for its own helpers after its send: a return would skip that.
func Gather(ctx context.Context, out chan<- int) {
	go func() {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done() }()
		out <- 1 // want "send on out blocks forever"
		wg.Wait()
	}()
}

// Retry reports each failure on errc, made with room for one, and goes round again: the
// second failure waits for a reader that may be gone.
func Retry(cancel <-chan struct{}, try func() error) <-chan error {
	errc := make(chan error, 1)
	go func() {
		for {
			select {
			case <-cancel:
				return
			default:
			}
			if err := try(); err != nil {
				errc <- err // want "send on errc blocks forever"
				if err.Error() == "again" {
					continue
				}
				return
			}
		}
	}()
	return errc
}
