package below

import (
	"testing"
	"time"
)

// No-hang proofs: callers that wait for every answer still get them all.
func TestAnswers(t *testing.T) {
	within(t, 2*time.Second, func() {
		if err := Both("a", "b", func(string) error { return nil }); err != nil {
			t.Errorf("Both = %v", err)
		}
		if r, err := Query(time.Second, func() string { return "hi" }); r != "hi" || err != nil {
			t.Errorf("Query = %q, %v", r, err)
		}
		if got := First([]string{"x"}, func(u string) string { return u + "!" }); got != "x!" {
			t.Errorf("First = %q", got)
		}
	})
}
