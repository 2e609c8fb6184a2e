package check

import (
	"testing"
	"time"
)

// No-hang proof: more names than the limit are all checked, and a bad one is found.
func TestCheck(t *testing.T) {
	names := make([]string, 50)
	for i := range names {
		names[i] = "ok"
	}
	names[42] = " "
	done := make(chan error)
	go func() { done <- Check(names) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the empty name was not found")
		}
	case <-time.After(time.Second):
		t.Fatal("Check hangs")
	}
}
