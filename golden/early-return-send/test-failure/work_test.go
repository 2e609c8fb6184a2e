package work

import (
	"fmt"
	"testing"
	"time"

	"example.com/work/testify/assert"
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

// The receiver returns before its last receive only once it has failed the test.
func TestErrorThenReturn(t *testing.T) {
	results := make(chan int)
	for i := 0; i < 3; i++ {
		go func() { results <- Do(i) }()
	}
	for i := 0; i < 3; i++ {
		if v := <-results; v < 0 {
			t.Errorf("Do = %d", v)
			return
		}
	}
}

// ... or once a testify assert was false.
func TestAssertThenReturn(t *testing.T) {
	errs := make(chan error)
	for i := 0; i < 2; i++ {
		go func() { errs <- check(i) }()
	}
	for i := 0; i < 2; i++ {
		if !assert.NoError(t, <-errs) {
			return
		}
	}
}

func check(i int) error {
	if Do(i) < 0 {
		return fmt.Errorf("negative %d", i)
	}
	return nil
}

// The server closes done as its last action; any value on errc fails the test, as does
// the timeout: a passing run leaves by done, when the server has nothing left to send.
func TestDoneOrError(t *testing.T) {
	done := make(chan struct{})
	errc := make(chan error)
	go func() {
		for i := 0; ; i++ {
			if v := Do(i); v < 0 {
				errc <- fmt.Errorf("bad value %d", v)
				continue
			}
			if i == 3 {
				close(done)
				return
			}
		}
	}()
	select {
	case <-done:
	case err := <-errc:
		t.Errorf("server: %v", err)
	case <-time.After(5 * time.Second):
		t.Errorf("server hangs")
	}
}
