package fetch

import (
	"errors"
	"io"
	"net/http"
)

var errNotModified = errors.New("not modified")

// Open returns the response on 200, and drops it on 304 without closing its body: that
// path pins the connection (a deferred close would close the returned body too).
func Open(c *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := c.Do(req) // want "the body of resp from c.Do is not closed on every path"
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotModified {
		return nil, errNotModified
	}
	return resp, nil
}

// Checked closes the body on the path that does not hand it on.
func Checked(c *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errNotModified
	}
	return resp, nil
}

// Explained hands the response to the helper that builds the error, which closes it.
func Explained(c *http.Client, req *http.Request) (io.ReadCloser, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp)
	}
	return resp.Body, nil
}

// Kept stores the response on every path that goes on.
type Kept struct{ resp *http.Response }

func (k *Kept) Start(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	if err := check(resp); err != nil {
		return err
	}
	k.resp = resp
	return nil
}

// Later hands it to a closure the caller runs: where that closes it is out of view.
func Later(c *http.Client, req *http.Request) (func() error, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	return func() error { return resp.Body.Close() }, nil
}

func statusError(resp *http.Response) error {
	resp.Body.Close()
	return errors.New(resp.Status)
}

func check(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return errors.New(resp.Status)
	}
	return nil
}

// CheckBody hands the response on; the branch that expects the request to fail has no
// body to close.
func CheckBody(t TestingT, c *http.Client, req *http.Request, wantErr bool) {
	resp, err := c.Do(req)
	if wantErr {
		require.Error(t, err)
		return
	}
	require.NoError(t, err)
	expectBody(t, resp)
}

// TestingT is what the assertions need of a test.
type TestingT interface{ FailNow() }

type asserter struct{}

func (asserter) Error(t TestingT, err error) {
	if err == nil {
		t.FailNow()
	}
}

func (asserter) NoError(t TestingT, err error) {
	if err != nil {
		t.FailNow()
	}
}

var require asserter

func expectBody(t TestingT, resp *http.Response) {
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.FailNow()
	}
}
