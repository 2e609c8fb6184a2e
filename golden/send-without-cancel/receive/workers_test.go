package workers

import (
	"context"
	"sync"
	"testing"
)

func TestWorkStoresSquares(t *testing.T) {
	jobs := make(chan int)
	var results sync.Map
	Work(context.Background(), jobs, &results)
	jobs <- 3
	jobs <- 4 // taken only after the square of 3 is stored
	close(jobs)
	if v, _ := results.Load(3); v != 9 {
		t.Fatalf("square of 3: got %v", v)
	}
}

func TestLatestAndGateWaitForTheirValue(t *testing.T) {
	got := make(chan string, 1)
	in := make(chan string)
	Latest(context.Background(), in, func(s string) { got <- s })
	in <- "x"
	if s := <-got; s != "x" {
		t.Fatalf("Latest saw %q", s)
	}
	ran := make(chan bool, 1)
	start := make(chan int)
	Gate(context.Background(), start, func() { ran <- true })
	start <- 1
	if !<-ran {
		t.Fatal("gate did not run f")
	}
}

func TestMailboxDelivers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 1)
	m := &Mailbox{inbox: make(chan string)}
	m.Run(ctx, func(s string) { got <- s })
	m.inbox <- "hi"
	if s := <-got; s != "hi" {
		t.Fatalf("delivered %q", s)
	}
}
