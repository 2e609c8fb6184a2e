// What the golden cases' leak proofs over HTTP share. The golden runner (tests/test_golden.py,
// materialize) copies this file into a case's package, under that package's name, when a
// test there calls getAll and does not declare its own.
package harness

import (
	"io"
	"net/http"
	"testing"
)

// getAll requests url n times, reading and closing each body, then drops the client's idle
// connections: the goroutines left after it are the server's.
func getAll(t *testing.T, url string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
}
