// Package message runs clients whose reader feeds a dispatch loop.
package message

// Client's close is a message, not a stop signal: Close sends it once for dispatch to
// take, and nothing closes it. dispatch drains both reader channels on its way out (its
// defer), so the reader is owed its sends: not reported (go-ethereum's rpc.Client; a
// case on c.close in the reader would steal Close's message and hang Close).
type Client struct {
	close, didClose chan struct{}
	readOp          chan int
	readErr         chan error
	next            func() (int, error)
	stop            func()
}

// NewClient starts a client reading from next; stop makes next fail.
func NewClient(next func() (int, error), stop func()) *Client {
	c := &Client{close: make(chan struct{}), didClose: make(chan struct{}), readOp: make(chan int),
		readErr: make(chan error), next: next, stop: stop}
	go c.dispatch()
	return c
}

// Close stops the client and waits for it.
func (c *Client) Close() {
	select {
	case c.close <- struct{}{}:
		<-c.didClose
	case <-c.didClose:
	}
}

func (c *Client) dispatch() {
	reading := true
	defer func() {
		if reading {
			c.stop()
			c.drainRead()
		}
		close(c.didClose)
	}()
	go c.read()
	for {
		select {
		case <-c.close:
			return
		case <-c.readOp:
		case <-c.readErr:
			reading = false
		}
	}
}

func (c *Client) drainRead() {
	for {
		select {
		case <-c.readOp:
		case <-c.readErr:
			return
		}
	}
}

func (c *Client) read() {
	for {
		v, err := c.next()
		if err != nil {
			c.readErr <- err
			return
		}
		c.readOp <- v
	}
}

// Conn's dispatch leaves without draining: its reader must watch didClose, which
// dispatch closes (close is a message and stays out of it).
type Conn struct {
	close, didClose chan struct{}
	readOp          chan int
	next            func() int
}

// NewConn starts a conn reading from next.
func NewConn(next func() int) *Conn {
	c := &Conn{close: make(chan struct{}), didClose: make(chan struct{}), readOp: make(chan int), next: next}
	go c.dispatch()
	return c
}

// Close stops the conn and waits for it.
func (c *Conn) Close() {
	select {
	case c.close <- struct{}{}:
		<-c.didClose
	case <-c.didClose:
	}
}

func (c *Conn) dispatch() {
	defer close(c.didClose)
	go c.read()
	for {
		select {
		case <-c.close:
			return
		case <-c.readOp:
		}
	}
}

func (c *Conn) read() {
	for {
		c.readOp <- c.next() // want "send on c.readOp blocks forever .* c.didClose could end"
	}
}
