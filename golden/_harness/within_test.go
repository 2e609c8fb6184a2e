// What the golden cases' no-hang proofs share. The golden runner (tests/test_golden.py,
// materialize) copies this file into a case's package, under that package's name, when a
// test there calls within and does not declare its own.
package harness

import (
	"testing"
	"time"
)

// within fails the test when f does not return within d: a fix must never make it hang.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not return within %v", d)
	}
}
