package parentdone

import "context"

// Proxy serves until its context ends.
type Proxy struct {
	ctx  context.Context
	lost chan struct{}
}

// NewProxy's goroutine skips cancel only when p.ctx, the derived context itself, is done
// already (its parent ended): a done context has released everything.
func NewProxy(parent context.Context, lost chan struct{}) *Proxy {
	cctx, cancel := context.WithCancel(parent)
	p := &Proxy{ctx: cctx, lost: lost}
	go func() {
		select {
		case <-p.ctx.Done():
		case <-p.lost:
			cancel()
		}
	}()
	return p
}

// Watch's goroutine leaves without cancel only once the parent is done, which cancels its
// children.
func Watch(parent context.Context, ready <-chan struct{}, use func(context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-parent.Done():
			return
		case <-ready:
		}
		use(ctx)
		cancel()
	}()
}

// Check's goroutine returns early only when the parent has ended.
func Check(parent context.Context, use func(context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		if parent.Err() != nil {
			return
		}
		use(ctx)
		cancel()
	}()
}

// Leave still leaks: the path without cancel is taken while the context lives.
func Leave(parent context.Context, ready <-chan struct{}, use func(context.Context) error) error {
	ctx, cancel := context.WithCancel(parent) // want "cancel from context.WithCancel is not called on every path"
	select {
	case <-ready:
		return nil
	default:
	}
	defer cancel()
	return use(ctx)
}
