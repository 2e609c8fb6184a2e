package listener

import (
	"context"
	"testing"
)

// No-hang proof: while the consumer reads, every value arrives in order.
func TestServeDelivers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan int)
	n := 0
	serve := Serve // run as a value, the way a service framework runs it
	go serve(ctx, func() int { n++; return n }, out)
	for want := 1; want <= 100; want++ {
		if got := <-out; got != want {
			t.Fatalf("got %d, want %d", got, want)
		}
	}
}
