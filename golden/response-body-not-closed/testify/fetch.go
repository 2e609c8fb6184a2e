// Package testifycheck reads responses whose errors are checked by test assertions.
package testifycheck

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Status requires the request to succeed.
func Status(t *testing.T, url string) int {
	resp, err := http.Get(url) // want "the body of resp from http.Get is never closed"
	require.NoError(t, err)
	return resp.StatusCode
}

// Body asserts the request succeeded and returns otherwise; it reads the first bytes.
func Body(t *testing.T, url string) string {
	resp, err := http.Get(url) // want "the body of resp from http.Get is never closed"
	if !assert.NoError(t, err) {
		return ""
	}
	b := make([]byte, 2) // the start only: the rest stays unread, so the connection stays pinned
	n, _ := io.ReadFull(resp.Body, b)
	return string(b[:n])
}

// Closed closes the body after a nil check chained to the error check: the branch where
// resp is nil has nothing to close.
func Closed(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	} else if resp == nil {
		return 0, errors.New("no response")
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Refused requires the request to fail: a response exists only in a failed test.
func Refused(t *testing.T, url string) {
	resp, err := http.Get(url)
	require.Error(t, err)
	_ = resp
}

// Branch closes the body in the branch where the assertion held: the other has no body.
func Branch(t *testing.T, url string) (code int) {
	resp, err := http.Get(url)
	if assert.NoError(t, err) {
		defer resp.Body.Close()
		code = resp.StatusCode
	}
	return code
}

// Peek reads the status in that branch and never closes the body there.
func Peek(t *testing.T, url string) (code int) {
	resp, err := http.Get(url) // want "the body of resp from http.Get is never closed"
	if assert.NoError(t, err) {
		code = resp.StatusCode
	}
	return code
}

// Either expects the request to fail in one case, and closes the body in the other: the
// path past require.Error has no body.
func Either(t *testing.T, url string, wantErr bool) int {
	resp, err := http.Get(url)
	if wantErr {
		require.Error(t, err)
		return 0
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp.StatusCode
}

// Rejected closes the body in the else of `if assert.Error(t, err)`: assert.Error holds
// only when err is set, so its branch has no body (sftpgo's TLS test).
func Rejected(t *testing.T, url string) {
	resp, err := http.Get(url)
	if assert.Error(t, err) {
		t.Log(err)
	} else {
		resp.Body.Close()
	}
}

// RejectedOpen closes nothing in that else: a response that came is left open.
func RejectedOpen(t *testing.T, url string) (code int) {
	resp, err := http.Get(url) // want "the body of resp from http.Get is never closed"
	if assert.Error(t, err) {
		t.Log(err)
	} else {
		code = resp.StatusCode
	}
	return code
}
