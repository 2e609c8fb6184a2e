package bodiless

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// Every answer carries a body, HEAD and 204 aside (net/http sends none for them): the
// responses that have one must be closed, the others pin nothing even left open.
func TestLeak(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
		}
		w.Write([]byte("a body the client must read or close"))
	}))
	defer srv.Close()
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		if ok, err := Exists(http.DefaultClient, srv.URL); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if _, err := Size(srv.URL); err != nil {
			t.Fatal(err)
		}
		Deleted(t, srv.URL)
		if code, err := Status(srv.URL); err != nil || code != http.StatusOK {
			t.Fatal(code, err)
		}
		Found(t, srv.URL)
	}
	http.DefaultClient.CloseIdleConnections()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}

// A probe of a raw listener gets no response: its request fails once the connection is
// closed, and leaves nothing behind.
func TestProbe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	base := runtime.NumGoroutine()
	Probe(t, ln).Close()
	http.DefaultClient.CloseIdleConnections()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
