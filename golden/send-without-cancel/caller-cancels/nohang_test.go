package exchange

import (
	"context"
	"testing"
	"time"
)

// Run must return every time, even when its caller's context has already ended: the
// worker's report is always received. (A select on a context plumbed into start would
// drop the report about half of the time here, and Run would wait forever.)
func TestRunReturns(t *testing.T) {
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	within(t, 10*time.Second, func() {
		for i := 0; i < 200; i++ {
			for _, parent := range []context.Context{context.Background(), ended} {
				if !Run(parent, func(context.Context) {}) {
					t.Fatal("Run = false")
				}
			}
		}
	})
}
