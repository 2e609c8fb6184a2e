package detached

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The caller reads the whole body after Fetch returned, the second half of it arriving a
// little later.
func TestFetchBodyIsReadable(t *testing.T) {
	half := strings.Repeat("x", 1<<10)
	body := half + half
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, half)
		w.(http.Flusher).Flush()
		time.Sleep(50 * time.Millisecond)
		_, _ = io.WriteString(w, half)
	}))
	defer srv.Close()
	resp, err := Fetch(srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	if len(got) != len(body) {
		t.Fatalf("read %d bytes, want %d", len(got), len(body))
	}
}
