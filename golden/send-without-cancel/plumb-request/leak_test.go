package feed

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// A client reads its values and the handler returns: the feeding goroutine must stop too.
func TestLeak(t *testing.T) {
	srv := httptest.NewServer(Handler(2, func() string { return "v" }))
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
