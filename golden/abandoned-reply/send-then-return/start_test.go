package start

import (
	"testing"
	"time"
)

// No-hang proof: a healthy process is started at once.
func TestStartAnswers(t *testing.T) {
	done := make(chan error)
	go func() { done <- Start(func() bool { return true }, time.Second) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Start = %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Start hangs")
	}
}
