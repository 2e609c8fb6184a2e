package conn

import (
	"sync"
	"time"
)

// Conn calls onIdle when it has been idle for a while, until it is closed.
type Conn struct {
	mu     sync.Mutex
	idle   *time.Timer
	closed bool
	onIdle func()
}

// Arm starts the idle countdown.
func (c *Conn) Arm(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = time.AfterFunc(d, c.onIdle) // want "timer c.idle from time.AfterFunc is never stopped: nothing in the package stops idle, so Conn.Close leaves its callback armed"
}

// Close closes the connection; the idle countdown runs on.
func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
}
