// Package peer sends to one peer until its queue closes.
package peer

// Peer is one configured peer.
type Peer struct {
	Queue chan string
	Sent  chan string
}

// Run forwards the queue to the peer until the queue is closed.
func (p *Peer) Run() {
	for msg := range p.Queue {
		p.Sent <- msg
	}
}
