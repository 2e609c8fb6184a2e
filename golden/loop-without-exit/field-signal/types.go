// Package fieldsignal keeps its stop signal in a struct field declared in this file.
package fieldsignal

// Relay forwards in to out until it is closed.
type Relay struct {
	in   chan int
	out  chan int
	quit chan struct{}
}

// Close stops the relay.
func (r *Relay) Close() { close(r.quit) }
