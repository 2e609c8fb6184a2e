package health

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if ok, err := Healthy(srv.URL); err != nil || !ok {
			t.Fatalf("Healthy = %v, %v", ok, err)
		}
	}
	// idle keep-alive connections are not leaks: only connections pinned by a body count
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
