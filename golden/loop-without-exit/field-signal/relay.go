package fieldsignal

import "context"

func (r *Relay) run() {
	go func() {
		for { // want "this select loop has no way out and never watches r.quit"
			select {
			case v := <-r.in:
				r.out <- v
			}
		}
	}()
}

// Start runs the relay; the quit field, not a new ctx parameter, is what stops it.
func Start(ctx context.Context) *Relay {
	r := &Relay{in: make(chan int), out: make(chan int, 1), quit: make(chan struct{})}
	r.run()
	return r
}
