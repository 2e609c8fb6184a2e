package sender

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestEveryFrameIsSentOnceConnected: once ICE connects the example must send the whole file
// and reach its end. Passes on the input; with -tags patched the goroutine returns on the
// (already done) iceConnectedCtx before the first tick and no frame is ever sent.
func TestEveryFrameIsSentOnceConnected(t *testing.T) {
	src := &source{frames: [][]byte{{1}, {2}, {3}, {4}, {5}}}
	var sent atomic.Int32
	reachedEnd := make(chan struct{})
	iceConnectedCtx, iceConnected := context.WithCancel(context.Background())
	start(iceConnectedCtx, src, 5*time.Millisecond, func([]byte) { sent.Add(1) }, func() { close(reachedEnd) })

	iceConnected() // OnICEConnectionStateChange(Connected)

	select {
	case <-reachedEnd:
	case <-time.After(2 * time.Second):
		t.Fatalf("sent %d of 5 frames and never reached the end of the file", sent.Load())
	}
	if n := sent.Load(); n != 5 {
		t.Fatalf("sent %d frames, want 5", n)
	}
}
