package relay

import (
	"context"
	"testing"
)

func TestRelayAndPumpForward(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan int)
	got := make(chan int, 1)
	Relay(ctx, in, func(v int) { got <- v }, func() {})
	in <- 7
	if v := <-got; v != 7 {
		t.Fatalf("relayed %d", v)
	}
	seen := make(chan string, 1)
	p := &Pump{stop: make(chan struct{}), queue: make(chan string), seen: func(s string) { seen <- s }}
	defer close(p.stop)
	p.Start()
	p.queue <- "x"
	if s := <-seen; s != "x" {
		t.Fatalf("pumped %q", s)
	}
}
