// Clients the rule can see are net/http's own: their bodies must be closed. A Transport it
// cannot see may be a fake that never answers with a body.
package forms

import (
	"net/http"
	"net/http/httptest"
)

var shared = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}

// fake answers every request with no response and no error.
type fake struct{}

func (fake) RoundTrip(*http.Request) (*http.Response, error) { return nil, nil }

func Literal(u string) int {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(u) // want "the body of resp from c.Get is never closed"
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func New(u string) int {
	c := new(http.Client)
	resp, err := c.Get(u) // want "the body of resp from c.Get is never closed"
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func Shared(u string) int {
	resp, err := shared.Get(u) // want "the body of resp from shared.Get is never closed"
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func Cloned(u string) int {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c := &http.Client{Transport: tr}
	resp, err := c.Get(u) // want "the body of resp from c.Get is never closed"
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// Typed builds the client on a RoundTripper interface: it may hold anything.
func Typed(u string) int {
	var tr http.RoundTripper = fake{}
	c := &http.Client{Transport: tr}
	resp, err := c.Get(u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// Faked builds the client on a fake that never answers with a body.
func Faked(u string) int {
	c := &http.Client{Transport: fake{}}
	resp, err := c.Get(u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func Server(u string) int {
	ts := httptest.NewServer(nil)
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + u) // want "the body of resp from ts.Client\\(\\).Get is never closed"
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func Param(c *http.Client, u string) int {
	resp, err := c.Get(u) // want "the body of resp from c.Get is never closed"
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
