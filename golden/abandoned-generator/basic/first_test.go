package numbers

import (
	"context"
	"testing"
	"time"
)

// No-hang proof: with a caller's context that is cancelled later, FirstOver still answers
// at once, and the caller's context is not cancelled by it.
func TestFirstOverAnswers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	go func() { done <- FirstOver(ctx, 10) }()
	select {
	case got := <-done:
		if got != 11 {
			t.Fatalf("FirstOver = %d, want 11", got)
		}
	case <-time.After(time.Second):
		t.Fatal("FirstOver hangs")
	}
	if ctx.Err() != nil {
		t.Fatal("the caller's context was cancelled")
	}
}
