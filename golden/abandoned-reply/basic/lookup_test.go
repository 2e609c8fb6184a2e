package lookup

import (
	"testing"
	"time"
)

// No-hang proof: a fast answer is still returned, within the test's second.
func TestLookupAnswers(t *testing.T) {
	done := make(chan string)
	go func() {
		addr, _ := Lookup("db", time.Second, func(string) string { return "10.0.0.1" })
		done <- addr
	}()
	select {
	case addr := <-done:
		if addr != "10.0.0.1" {
			t.Fatalf("Lookup = %q", addr)
		}
	case <-time.After(time.Second):
		t.Fatal("Lookup hangs")
	}
}
