package conn

import "sync"

// Conn writes what Send queues from one writer goroutine, as syncthing's rawConnection did.
type Conn struct {
	outbox chan []byte
	closed chan struct{}
	once   sync.Once

	mu      sync.Mutex
	written [][]byte
}

func New() *Conn {
	c := &Conn{outbox: make(chan []byte), closed: make(chan struct{})}
	go c.writerLoop()
	return c
}

// Send hands b to the writer; false once the connection is closed.
func (c *Conn) Send(b []byte) bool {
	select {
	case c.outbox <- b:
		return true
	case <-c.closed:
		return false
	}
}

func (c *Conn) writerLoop() {
	for b := range c.outbox { // want "nothing closes c.outbox: ranging over it never ends"
		if len(b) == 0 {
			continue
		}
		c.mu.Lock()
		c.written = append(c.written, b)
		c.mu.Unlock()
	}
}

func (c *Conn) Written() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.written)
}

func (c *Conn) Close() {
	c.once.Do(func() { close(c.closed) })
}
