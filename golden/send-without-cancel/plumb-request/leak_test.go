package feed

import (
	"net/http/httptest"
	"runtime"
	"testing"
)

// A client reads its values and the handler returns: the feeding goroutine must stop too.
func TestLeak(t *testing.T) {
	srv := httptest.NewServer(Handler(2, func() string { return "v" }))
	defer srv.Close()
	base := runtime.NumGoroutine()
	getAll(t, srv.URL, 10)
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
