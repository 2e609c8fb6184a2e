package feed

import (
	"io"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// No-hang proof: a handler still writes every value it asks for, in order.
func TestHandlerWrites(t *testing.T) {
	within(t, 2*time.Second, func() {
		i := 0
		rec := httptest.NewRecorder()
		Handler(3, func() string { i++; return strconv.Itoa(i) })(rec, httptest.NewRequest("GET", "/", nil))
		if got, _ := io.ReadAll(rec.Body); string(got) != "1\n2\n3\n" {
			t.Errorf("body = %q", got)
		}
	})
}
