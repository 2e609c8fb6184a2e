package below

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// Each function leaves before every sender has sent: the senders one call below must not stay blocked.
func TestLeak(t *testing.T) {
	valid := func(s string) error {
		if s == "bad" {
			return errors.New("bad")
		}
		time.Sleep(20 * time.Millisecond)
		return nil
	}
	slow := func() string { time.Sleep(20 * time.Millisecond); return "late" }
	get := func(u string) string { return u }
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if err := Both("bad", "good", valid); err == nil {
			t.Fatal("Both: want the error")
		}
		if _, err := Query(time.Millisecond, slow); err != errTimeout {
			t.Fatalf("Query: %v, want errTimeout", err)
		}
		First([]string{"a", "b", "c"}, get)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
