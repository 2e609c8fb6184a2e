package refused

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// Checks that requests fail, as net/http's own tests do: a response would only exist in a
// test that has already failed.

func CheckRefused(t testing.TB, u string) {
	_, err := http.Get(u)
	if err == nil {
		t.Fatalf("GET %s succeeded; want an error", u)
	}
}

func CheckTimeout(t testing.TB, c *http.Client, u string) {
	_, err := c.Get(u)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("GET %s: %v; want a timeout", u, err)
	}
}

func CheckMessage(t testing.TB, u, want string) {
	_, err := http.Get(u)
	if got := err.Error(); !strings.Contains(got, want) {
		t.Errorf("error = %q; want %q", got, want)
	}
}

func CheckCanceled(t testing.TB, req *http.Request) {
	_, err := http.DefaultClient.Do(req)
	if ue, ok := err.(*url.Error); !ok || ue.Err == nil {
		t.Fatalf("Do error = %v; want a *url.Error", err)
	}
}

func CheckNoResponse(t testing.TB, req *http.Request) {
	res, err := http.DefaultClient.Do(req)
	if res != nil {
		t.Errorf("got response %v; want nil", res.Status)
	}
	if err == nil {
		t.Error("Do returned nil error; want non-nil error")
	}
}

func CheckMethod(t testing.TB, req *http.Request) {
	_, err := http.DefaultClient.Do(req)
	if err == nil || !strings.Contains(err.Error(), "invalid method") {
		t.Errorf("Transport error = %v; want invalid method", err)
	}
}

// CheckCertificate reads the error's text on a statement of its own, as nomad's TLS test
// does with testify: a nil error would panic there, so a passing run had no response.
func CheckCertificate(t testing.TB, c *http.Client, req *http.Request, contains func(s, sub string) bool) {
	_, err := c.Do(req)
	contains(err.Error(), "certificate is valid for")
}
