package health

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

func settle(base int) int { // poll until back to base or 2 s pass
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

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
