package restore

import (
	"context"
	"testing"
	"time"
)

// No-hang proof: First answers at once, with spans and without.
func TestFirstAnswers(t *testing.T) {
	done := make(chan [2]bool)
	go func() { done <- [2]bool{First(context.Background(), 8), First(context.Background(), 0)} }()
	select {
	case got := <-done:
		if got != [2]bool{true, false} {
			t.Fatalf("First = %v", got)
		}
	case <-time.After(time.Second):
		t.Fatal("First hangs")
	}
}
