package mark

import (
	"testing"
	"time"
)

// A wide graph (every node has many children, far more nodes than any bound) is walked
// to the end: nothing deadlocks.
func TestWideGraph(t *testing.T) {
	within(t, 10*time.Second, func() {
		children := func(n int) []int {
			if n >= 1000 {
				return nil
			}
			out := make([]int, 0, 20)
			for i := 1; i <= 20; i++ {
				out = append(out, n*20+i)
			}
			return out
		}
		if got := len(Reachable([]int{0}, children)); got < 1000 {
			t.Fatalf("reached %d nodes, want at least 1000", got)
		}
	})
}
