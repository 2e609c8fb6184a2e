package fetch

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The body still arrives whole on success, and a bad status is still an error.
func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("hello"))
	}))
	defer srv.Close()
	body, err := Fetch(srv.Client(), srv.URL+"/doc")
	if err != nil || string(body) != "hello" {
		t.Fatalf("Fetch = %q, %v; want hello", body, err)
	}
	if _, err := Fetch(srv.Client(), srv.URL+"/missing"); err == nil {
		t.Fatal("Fetch of a 404 succeeded")
	}
}
