package conn

import "sync"

// closedInput: the loop's own channel is closed by Close, so the range ends.
type closedInput struct {
	in   chan int
	stop chan struct{}
}

func newClosedInput() *closedInput {
	c := &closedInput{in: make(chan int), stop: make(chan struct{})}
	go c.loop()
	return c
}

func (c *closedInput) loop() {
	for v := range c.in {
		_ = v
	}
}

func (c *closedInput) Close() {
	close(c.stop)
	close(c.in)
}

// sameName: another type closes a field called jobs; the two cannot be told apart.
type sameName struct {
	jobs chan int
	done chan struct{}
}

type other struct {
	jobs chan int
}

func newSameName() *sameName {
	s := &sameName{jobs: make(chan int), done: make(chan struct{})}
	go s.work()
	return s
}

func (s *sameName) work() {
	for j := range s.jobs {
		_ = j
	}
}

func (s *sameName) Close() { close(s.done) }

func (o *other) Close() { close(o.jobs) }

// noSignal: nothing tells the loop's owner to stop.
type noSignal struct {
	queue chan int
	mu    sync.Mutex
}

func newNoSignal() *noSignal {
	n := &noSignal{queue: make(chan int)}
	go n.drain()
	return n
}

func (n *noSignal) drain() {
	for v := range n.queue {
		n.mu.Lock()
		_ = v
		n.mu.Unlock()
	}
}

// handedOut: the channel leaves through Events, whose caller may close it.
type handedOut struct {
	events chan int
	quit   chan struct{}
}

func newHandedOut() *handedOut {
	h := &handedOut{events: make(chan int), quit: make(chan struct{})}
	go h.run()
	return h
}

func (h *handedOut) Events() chan int { return h.events }

func (h *handedOut) run() {
	for e := range h.events {
		_ = e
	}
}

func (h *handedOut) Close() { close(h.quit) }

// unfired: a done channel nobody closes is no stop signal.
type unfired struct {
	work chan int
	done chan struct{}
}

func newUnfired() *unfired {
	u := &unfired{work: make(chan int), done: make(chan struct{})}
	go u.run()
	return u
}

func (u *unfired) run() {
	for w := range u.work {
		_ = w
	}
}
