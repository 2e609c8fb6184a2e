package digest

import (
	"testing"
	"time"
)

// 200 blobs that take 20 ms each: unbounded, about 200 digests run at once.
func TestLeak(t *testing.T) {
	delay = 20 * time.Millisecond
	All(make([][]byte, 200))
	if p := peak.Load(); p > 10 {
		t.Fatalf("goroutine leak: %d goroutines ran at once for one call, the bound is 10", p)
	}
}
