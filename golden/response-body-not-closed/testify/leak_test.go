package testifycheck

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// Every body must be closed: an open one pins its connection and two goroutines.
func TestLeak(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}))
	defer srv.Close()
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		if Status(t, srv.URL) != 200 || Body(t, srv.URL) != "he" {
			t.Fatal("wrong answer")
		}
		if code, err := Closed(srv.URL); err != nil || code != 200 {
			t.Fatal(code, err)
		}
		if Branch(t, srv.URL) != 200 || Peek(t, srv.URL) != 200 {
			t.Fatal("wrong status")
		}
	}
	http.DefaultClient.CloseIdleConnections()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
