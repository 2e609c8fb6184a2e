package header

import (
	"context"
	"testing"
	"time"
)

// Ticks keep coming at their pace until ctx ends, and Count stops after n.
func TestTicksKeepComing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pings := make(chan struct{}, 100)
	Beat(ctx, time.Millisecond, func() {
		select {
		case pings <- struct{}{}:
		default:
		}
	})
	counts := make(chan int, 100)
	Count(ctx, time.Millisecond, 3, func(i int) { counts <- i })
	deadline := time.After(5 * time.Second)
	for i := 0; i < 10; i++ {
		select {
		case <-pings:
		case <-deadline:
			t.Fatalf("only %d pings", i)
		}
	}
	for want := 1; want <= 3; want++ {
		select {
		case got := <-counts:
			if got != want {
				t.Fatalf("count %d, want %d", got, want)
			}
		case <-deadline:
			t.Fatalf("count stopped before %d", want)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if len(counts) != 0 {
		t.Fatalf("Count went on after n: %d more", len(counts))
	}
}
