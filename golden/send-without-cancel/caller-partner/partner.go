package partner

import (
	"context"
	"sync"
)

type router struct {
	ctx  context.Context
	subs []string
}

// Start waits for its worker's start report (livekit's RedisRouter.Start): the one receive
// is the worker's partner, in view here, as a literal's launcher is.
func (r *router) Start() error {
	started := make(chan error)
	go r.keepalive(started)
	return <-started
}

func (r *router) keepalive(started chan error) {
	if err := r.subscribe(r.ctx); err != nil {
		started <- err
		return
	}
	close(started)
	<-r.ctx.Done()
}

func (r *router) subscribe(ctx context.Context) error { return ctx.Err() }

// Gather starts one goroutine per target through a literal that calls collect once, on a
// channel with a slot for each (cloudflared's network diagnostics): every send fits.
func Gather(ctx context.Context, targets []string) []error {
	results := make(chan error, len(targets))
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			collect(ctx, t, results)
		}()
	}
	wg.Wait()
	close(results)
	var out []error
	for err := range results {
		out = append(out, err)
	}
	return out
}

func collect(ctx context.Context, target string, results chan<- error) {
	results <- probe(ctx, target)
}

func probe(ctx context.Context, target string) error {
	_ = target
	return ctx.Err()
}

// Pair starts two collectors on one slot: the second send may block once Pair has left.
func Pair(ctx context.Context, first, second string) error {
	errs := make(chan error, 1)
	go func() { collectOne(ctx, first, errs) }()
	go func() { collectOne(ctx, second, errs) }()
	return <-errs
}

func collectOne(ctx context.Context, target string, errs chan<- error) {
	errs <- probe(ctx, target) // want "blocks forever once its receiver is gone"
}

// Handoff gives the worker a channel it stores for someone else to read: the partner is
// out of view, and the send is reported.
type hub struct{ events chan string }

func (h *hub) Handoff(ctx context.Context) {
	events := make(chan string)
	h.events = events
	go h.publish(ctx, events)
}

func (h *hub) publish(ctx context.Context, events chan string) {
	for _, s := range []string{"a", "b"} {
		if ctx.Err() != nil {
			return
		}
		events <- s // want "blocks forever once its receiver is gone"
	}
}

// Twice calls report twice per launch on one slot per launch: the second send may block
// once the reader has left.
func Twice(ctx context.Context, targets []string) error {
	errs := make(chan error, len(targets))
	for _, t := range targets {
		go func() {
			report(ctx, t, errs)
			report(ctx, t, errs)
		}()
	}
	return <-errs
}

func report(ctx context.Context, target string, errs chan<- error) {
	if ctx.Err() != nil {
		return
	}
	errs <- probe(ctx, target) // want "blocks forever once its receiver is gone"
}

// List waits for one result per request and leaves on the first error (pulsar's
// ListWithContext): the other requests' error sends are never taken.
func List(ctx context.Context, targets []string) ([]string, error) {
	errs := make(chan error)
	names := make(chan string)
	for _, t := range targets {
		go listOne(ctx, t, names, errs)
	}
	var out []string
	left := len(targets)
	for {
		select {
		case err := <-errs:
			if err != nil {
				return nil, err
			}
			continue
		case n := <-names:
			left--
			out = append(out, n)
		}
		if left == 0 {
			break
		}
	}
	return out, nil
}

func listOne(ctx context.Context, target string, names chan<- string, errs chan<- error) {
	errs <- probe(ctx, target) // want "blocks forever once its receiver is gone"
	names <- target // want "blocks forever once its receiver is gone"
}
