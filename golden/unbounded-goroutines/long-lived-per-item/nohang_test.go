package scrape

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// More targets than any default bound: every loop must start, and promptly.
func TestEveryTargetGetsItsLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := &Manager{ctx: ctx, started: make(chan string), scraped: make(chan string, 100)}
	var targets []Target
	for i := 0; i < 25; i++ {
		targets = append(targets, Target{URL: fmt.Sprintf("http://t%d", i), Period: 1000})
	}
	go m.Run(targets)
	updates := make(chan Target)
	go m.Watch(updates)
	go func() {
		for i := 0; i < 25; i++ {
			updates <- Target{URL: fmt.Sprintf("http://w%d", i), Period: 1000}
		}
	}()
	deadline := time.After(5 * time.Second)
	for seen := 0; seen < 50; seen++ {
		select {
		case <-m.started:
		case <-deadline:
			t.Fatalf("only %d of 50 scrape loops started: the launches hang", seen)
		}
	}
}

func TestEveryPeerIsForwarded(t *testing.T) {
	m := &Manager{scraped: make(chan string, 100)}
	queues := map[string]chan string{}
	for i := 0; i < 25; i++ {
		q := make(chan string, 1)
		q <- "hello"
		queues[fmt.Sprint(i)] = q
	}
	go m.Peers(queues)
	deadline := time.After(5 * time.Second)
	for seen := 0; seen < 25; seen++ {
		select {
		case <-m.scraped:
		case <-deadline:
			t.Fatalf("only %d of 25 peers forwarded", seen)
		}
	}
}
