package collected

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

type failing struct{}

func (failing) Start(context.Context) error {
	time.Sleep(20 * time.Millisecond)
	return errors.New("no connection")
}

// Start gives up on its ended context before the caches fail: unbuffered, every cache's
// goroutine is left blocked on errs; with room for each, they finish.
func TestLeakStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		d := &ByKind{caches: map[string]Cache{"a": failing{}, "b": failing{}}, def: failing{}}
		if err := d.Start(ctx); err != nil {
			t.Fatalf("Start = %v, want nil once ctx has ended", err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
