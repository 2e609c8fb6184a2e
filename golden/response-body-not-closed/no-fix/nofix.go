package nofix

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"time"
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

// Relay's request lives as long as its caller's context: the unread body pins the
// connection until that ends.
func Relay(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	_, err = c.Do(req) // want "the response from c.Do is discarded"
	return err
}

// Up's client has a Timeout: it frees the connection only when that fires, so every
// call holds one that long.
func Up(u string) bool {
	client := &http.Client{Timeout: 2 * time.Second}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	_, err = client.Do(req) // want "the response from client.Do is discarded"
	return err == nil
}
