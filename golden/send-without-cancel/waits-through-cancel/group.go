// Package waits starts groups of work that report ready on a channel of the group.
package waits

import "context"

// Group's Start waits for every work it launched to report ready; its case on ctx goes
// on waiting, so each report is owed: not reported (controller-runtime's runnableGroup,
// whose ctx Stop cancels only after Start has returned).
type Group struct {
	ctx     context.Context
	cancel  context.CancelFunc
	readyCh chan int
}

// NewGroup makes a group.
func NewGroup() *Group {
	ctx, cancel := context.WithCancel(context.Background())
	return &Group{ctx: ctx, cancel: cancel, readyCh: make(chan int)}
}

func (g *Group) launch(id int, work func(context.Context)) {
	go func() {
		go func() {
			g.readyCh <- id
		}()
		work(g.ctx)
	}()
}

// Start launches works and waits until each has reported ready.
func (g *Group) Start(ctx context.Context, works []func(context.Context)) {
	for i, w := range works {
		g.launch(i, w)
	}
	for pending := len(works); pending > 0; {
		select {
		case <-ctx.Done(): // keeps waiting
		case <-g.readyCh:
			pending--
		}
	}
}

// Stop ends the works.
func (g *Group) Stop() { g.cancel() }

// Pool's Start gives up on ctx: the reports it did not take are nobody's any more.
type Pool struct {
	ctx     context.Context
	cancel  context.CancelFunc
	readyCh chan int
}

// NewPool makes a pool.
func NewPool() *Pool {
	ctx, cancel := context.WithCancel(context.Background())
	return &Pool{ctx: ctx, cancel: cancel, readyCh: make(chan int)}
}

func (p *Pool) launch(id int, work func(context.Context)) {
	go func() {
		go func() {
			p.readyCh <- id // want "send on p.readyCh blocks forever .* p.ctx could end"
		}()
		work(p.ctx)
	}()
}

// Start launches works and waits until each has reported ready, or ctx ends.
func (p *Pool) Start(ctx context.Context, works []func(context.Context)) {
	for i, w := range works {
		p.launch(i, w)
	}
	for pending := len(works); pending > 0; {
		select {
		case <-ctx.Done():
			return
		case <-p.readyCh:
			pending--
		}
	}
}

// Stop ends the works.
func (p *Pool) Stop() { p.cancel() }

// Batch's case on ctx sets a flag that ends its loop: it gives up too.
type Batch struct {
	ctx     context.Context
	cancel  context.CancelFunc
	readyCh chan int
}

func (b *Batch) launch(id int) {
	go func() {
		b.readyCh <- id // want "send on b.readyCh blocks forever .* b.ctx could end"
	}()
}

// Start launches n items and waits for them, or for ctx.
func (b *Batch) Start(ctx context.Context, n int) {
	for i := 0; i < n; i++ {
		b.launch(i)
	}
	stopped := false
	for pending := n; pending > 0 && !stopped; {
		select {
		case <-ctx.Done():
			stopped = true
		case <-b.readyCh:
			pending--
		}
	}
}
