package work

import (
	"testing"
	"time"
)

// Fail stands for Ginkgo's Fail, which fails the running spec.
func Fail(message string) { panic(message) }

// A sender is abandoned only on the timeout case, when the test has already failed: no
// finding in any of these.
func TestFatal(t *testing.T) {
	done := make(chan int)
	go func() { done <- Do(1) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Do hangs")
	}
}

func TestErrorf(t *testing.T) {
	done := make(chan int)
	go func() { done <- Do(2) }()
	select {
	case v := <-done:
		if v != 2 {
			t.Errorf("Do(2) = %d", v)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("Do hangs")
	}
}

type suite struct{ t *testing.T }

func (s *suite) T() *testing.T { return s.t }

func TestSuiteFatal(t *testing.T) {
	s := &suite{t}
	done := make(chan int)
	go func() { done <- Do(3) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.T().Fatal("Do hangs")
	}
}

func TestGinkgoFail(t *testing.T) {
	done := make(chan int)
	go func() { done <- Do(4) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		Fail("Do hangs")
	}
}
