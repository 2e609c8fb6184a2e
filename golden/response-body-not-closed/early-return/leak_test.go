package fetch

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// A 503 takes the early return, which the original defer never reached.
func TestLeak(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "try again later", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, err := Fetch(client, srv.URL); err == nil {
			t.Fatal("Fetch succeeded on a 503")
		}
	}
	// idle keep-alive connections are not leaks: only connections pinned by a body count
	client.CloseIdleConnections()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
