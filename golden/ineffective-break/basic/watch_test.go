package watch

import (
	"context"
	"testing"
	"time"
)

func TestWatchPollDrainWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, got := make(chan string), make(chan string, 1)
	Watch(ctx, events, func(e string) { got <- e })
	events <- "x"
	if e := <-got; e != "x" {
		t.Fatalf("watched %q", e)
	}
	polled := make(chan struct{}, 1)
	p := NewPoller(time.Millisecond, func() {
		select {
		case polled <- struct{}{}:
		default:
		}
	})
	<-polled
	p.Stop()
	in, sunk := make(chan int), make(chan int, 1)
	Drain(in, func(v int) { sunk <- v })
	in <- 3
	if v := <-sunk; v != 3 {
		t.Fatalf("drained %d", v)
	}
	close(in)
}
