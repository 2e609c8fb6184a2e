package proxy

import "sync"

// Proxy declares closeCh and closes it in Close, but its constructor never makes it:
// the goroutine Run starts can never leave on it (frp's XTCPProxy).
type Proxy struct {
	mu      sync.Mutex
	closeCh chan struct{}
	served  []int
}

func NewProxy() *Proxy {
	return &Proxy{}
}

func (p *Proxy) Run(sids <-chan int) {
	go func() {
		for {
			select {
			case <-p.closeCh: // want "p.closeCh is always nil: no code of the package makes or assigns field closeCh of Proxy, so this select case never fires: the select waits on its other cases alone"
				return
			case sid := <-sids:
				p.mu.Lock()
				p.served = append(p.served, sid)
				p.mu.Unlock()
			}
		}
	}()
}

func (p *Proxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.closeCh) // a panic, not a wait: not reported
}

// Wait blocks until the proxy is closed: forever.
func (p *Proxy) Wait() {
	<-p.closeCh // want "p.closeCh is always nil: .* so the receive blocks forever"
}

// Closed reports whether Close ran: never, but a select with a default does not wait.
func (p *Proxy) Closed() bool {
	select {
	case <-p.closeCh:
		return true
	default:
		return false
	}
}
