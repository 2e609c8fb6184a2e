package conn

import "context"

// Subscriber hands out a channel it closes once the context it was given ends.
type Subscriber interface {
	Subscribe(ctx context.Context, topic string) (<-chan string, error)
}

// router ranges over what its subscriber returned: the subscriber closes it when ctx
// ends, so the range ends with it, whatever the package itself closes.
type router struct {
	messages <-chan string
	stopped  chan struct{}
	cancel   context.CancelFunc
}

func newRouter() *router {
	return &router{stopped: make(chan struct{})}
}

// Start subscribes and handles every message on a goroutine of its own.
func (r *router) Start(ctx context.Context, s Subscriber, handle func(string)) error {
	ctx, cancel := context.WithCancel(ctx)
	msgs, err := s.Subscribe(ctx, "topic")
	if err != nil {
		cancel()
		return err
	}
	r.cancel = cancel
	r.messages = msgs
	go func() {
		defer close(r.stopped)
		r.consume(handle)
	}()
	return nil
}

func (r *router) consume(handle func(string)) {
	for m := range r.messages {
		handle(m)
	}
}

// Stop ends the subscription; the range ends when the subscriber closes its channel.
func (r *router) Stop() {
	r.cancel()
	<-r.stopped
}
