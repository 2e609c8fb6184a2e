package listener

import (
	"context"
	"testing"
	"time"
)

// The consumer takes one value and cancels: Serve must return.
func TestLeak(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan int)
	done := make(chan struct{})
	serve := Serve // run as a value, the way a service framework runs it
	go func() {
		serve(ctx, func() int { return 1 }, out)
		close(done)
	}()
	<-out
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Serve stays blocked on its send after its ctx ended")
	}
}
