package stream

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// No-hang proof: a handler that reads every event it asks for still gets them, in order.
func TestEventsDelivered(t *testing.T) {
	within(t, 2*time.Second, func() {
		i := 0
		next := func() (string, bool) { i++; return strings.Repeat("x", i), i <= 3 }
		rec := httptest.NewRecorder()
		Events(3, next)(rec, httptest.NewRequest("GET", "/", nil))
		if got, _ := io.ReadAll(rec.Body); string(got) != "x\nxx\nxxx\n" {
			t.Errorf("body = %q", got)
		}
	})
}
