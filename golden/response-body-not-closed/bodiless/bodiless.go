// Package bodiless makes requests whose responses have no body (a HEAD, an asserted 204)
// or never come (a probe of a raw listener), beside ones that do have a body.
package bodiless

import (
	"net"
	"net/http"
	"testing"
)

// Exists asks with HEAD: net/http hands back http.NoBody and frees the connection at once.
func Exists(c *http.Client, url string) (bool, error) {
	resp, err := c.Head(url)
	if err != nil {
		return false, err
	}
	return resp.StatusCode == http.StatusOK, nil
}

// Size builds the HEAD request itself.
func Size(url string) (int64, error) {
	req, err := http.NewRequest(http.MethodHead, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.ContentLength, nil
}

// Status asks with GET: the body is there to close.
func Status(url string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req) // want "the body of resp from http.DefaultClient.Do is never closed"
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// Deleted fails the test unless the answer is 204 No Content, which has no body.
func Deleted(t testing.TB, url string) {
	req, err := http.NewRequest(http.MethodDelete, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d, want 204", resp.StatusCode)
	}
}

// Found fails the test unless the answer is 200, which may have a body.
func Found(t testing.TB, url string) {
	resp, err := http.Get(url) // want "the body of resp from http.Get is never closed"
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
}

// Probe dials a raw listener through an HTTP client and takes the connection itself:
// nothing answers, so no response ever comes.
func Probe(t testing.TB, ln net.Listener) net.Conn {
	go http.Get("http://" + ln.Addr().String())
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// Answer answers the probe by hand: a response with a body comes and is dropped.
func Answer(t testing.TB, ln net.Listener) {
	go http.Get("http://" + ln.Addr().String()) // want "the response from http.Get is discarded"
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
}
