package nofix

import (
	"errors"
	"io"
	"log"
	"net/http"
)

// Ping fires a request and forgets the response.
func Ping(u string) {
	http.Get(u) // want "the response from http.Get is discarded, so its body is never closed"
}

// Send only cares whether the request went through.
func Send(req *http.Request) error {
	_, err := http.DefaultClient.Do(req) // want "the response from http.DefaultClient.Do is discarded"
	return err
}

// Statuses makes one request per url: a defer here would hold every body until the end.
func Statuses(urls []string) []int {
	var out []int
	for _, u := range urls {
		resp, err := http.Get(u) // want "the body of resp from http.Get is never closed"
		if err != nil {
			continue
		}
		out = append(out, resp.StatusCode)
	}
	return out
}

// Read closes the body after reading it, but not on the early return.
func Read(u string) ([]byte, error) {
	r, err := http.Get(u) // want "the body of r from http.Get is not closed on every path"
	if err != nil {
		return nil, err
	}
	if r.StatusCode != http.StatusOK {
		return nil, errors.New(r.Status)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	return b, err
}

// Logged checks the error late: where the defer belongs is for a person to say.
func Logged(u string) int {
	resp, err := http.Get(u) // want "the body of resp from http.Get is never closed"
	log.Printf("GET %s: %v", u, err)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
