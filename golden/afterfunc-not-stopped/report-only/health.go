package cache

import (
	"sync"
	"time"
)

// pool re-arms its health check under checkMu; Close takes no lock, so a stop added
// there would race with that write: reported without a fix.
type pool struct {
	checkMu sync.Mutex
	check   *time.Timer
	checks  chan struct{}
	closed  chan struct{}
	once    sync.Once
}

func (p *pool) trigger() {
	p.checkMu.Lock()
	defer p.checkMu.Unlock()
	if p.check == nil {
		p.check = time.AfterFunc(time.Second, func() { // want "timer p.check from time.AfterFunc is never stopped"
			select {
			case p.checks <- struct{}{}:
			default:
			}
		})
	}
	p.check.Reset(time.Second)
}

// Close stops the pool.
func (p *pool) Close() {
	p.once.Do(func() { close(p.closed) })
}
