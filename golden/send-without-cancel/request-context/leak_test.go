package stream

import (
	"net/http/httptest"
	"runtime"
	"testing"
)

func endless() (string, bool) { return "tick", true }

// A client that reads two events ends the request: the feeding goroutine must stop with it.
func TestLeak(t *testing.T) {
	srv := httptest.NewServer(Events(2, endless))
	defer srv.Close()
	base := runtime.NumGoroutine()
	getAll(t, srv.URL, 10)
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
