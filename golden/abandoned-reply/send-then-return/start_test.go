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

// No-hang proof: a fetch answers with its value, or with its failure.
func TestFetchAnswers(t *testing.T) {
	if v, err := Fetch(func() (int, error) { return 7, nil }, time.Second); v != 7 || err != nil {
		t.Fatalf("Fetch = %v, %v", v, err)
	}
	if _, err := Fetch(func() (int, error) { return 0, ErrFailed }, time.Second); err != ErrFailed {
		t.Fatalf("Fetch = %v, want ErrFailed", err)
	}
}
