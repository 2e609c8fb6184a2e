package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("document body"))
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	a := &API{client: client, base: srv.URL}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if tag, err := a.ETag(context.Background(), "/doc"); err != nil || tag != `"v1"` {
			t.Fatalf("ETag = %q, %v", tag, err)
		}
	}
	// idle keep-alive connections are not leaks: only connections pinned by a body count
	client.CloseIdleConnections()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
