package conn

import (
	"context"
	"sync"
	"testing"
	"time"
)

type chanSubscriber struct{ out chan string }

func (s chanSubscriber) Subscribe(ctx context.Context, topic string) (<-chan string, error) {
	out := make(chan string)
	go func() {
		defer close(out)
		for {
			select {
			case m := <-s.out:
				out <- m
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// Stop returns once the subscriber has closed its channel, having handled every message
// and no made-up empty one.
func TestRouterStops(t *testing.T) {
	in := make(chan string)
	var mu sync.Mutex
	var got []string
	r := newRouter()
	if err := r.Start(context.Background(), chanSubscriber{in}, func(m string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m)
	}); err != nil {
		t.Fatal(err)
	}
	in <- "a"
	in <- "b"
	stopped := make(chan struct{})
	go func() {
		r.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("handled %q, want [a b]", got)
	}
}
