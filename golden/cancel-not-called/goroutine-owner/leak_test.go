package refresh

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) Refresh(ctx context.Context, key string) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	c := &counter{}
	var wg sync.WaitGroup
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		Refresh(parent, c, []string{"a", "b"}, &wg)
	}
	wg.Wait()
	if c.n != 20 {
		t.Fatalf("refreshed %d keys, want 20", c.n)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
