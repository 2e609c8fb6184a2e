package unknown

import (
	"errors"
	"net/http"
)

// Doer may be a client, a retrying wrapper or a test double: its type says nothing.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

func Call(d Doer, req *http.Request) (int, error) {
	resp, err := d.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// Cache has a Get too; it is not an HTTP client.
type Cache struct{ m map[string]string }

func (c *Cache) Get(k string) (string, error) {
	v, ok := c.m[k]
	if !ok {
		return "", errors.New("miss")
	}
	return v, nil
}

func Lookup(c *Cache, k string) string {
	v, err := c.Get(k)
	if err != nil {
		return ""
	}
	return v
}

// recordingTransport never answers: a client built on it never returns a body
// (from net/http's client tests).
type recordingTransport struct{ req *http.Request }

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.req = req
	return nil, errors.New("dummy impl")
}

func Record(u string) *http.Request {
	tr := &recordingTransport{}
	client := &http.Client{Transport: tr}
	client.Get(u)
	return tr.req
}
