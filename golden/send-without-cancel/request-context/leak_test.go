package stream

import (
	"io"
	"net/http"
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
	for i := 0; i < 10; i++ {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
