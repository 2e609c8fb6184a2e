package refresh

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// No-hang proof: while ctx lives, the refreshes keep coming.
func TestKeepRefreshes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int64
	Keep(ctx, time.Millisecond, func() { n.Add(1) })
	deadline := time.Now().Add(time.Second)
	for n.Load() < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("%d refreshes in a second", n.Load())
		}
		time.Sleep(time.Millisecond)
	}
}
