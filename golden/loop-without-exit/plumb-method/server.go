package pump

import "context"

// Serve starts a pump that lives as long as ctx.
func Serve(ctx context.Context) *Pump {
	p := &Pump{out: make(chan int)}
	p.run()
	return p
}

// Default starts a pump with no way to stop it yet.
func Default() *Pump {
	var p = &Pump{out: make(chan int)}
	p.run()
	return p
}
