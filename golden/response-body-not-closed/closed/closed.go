package closed

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
)

// Deferred is the usual shape.
func Deferred(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// NilGuard closes before looking at the error: resp is non-nil whenever err is nil.
func NilGuard(u string) error {
	resp, err := http.Get(u)
	if resp != nil {
		defer resp.Body.Close()
	}
	return err
}

// Drained closes in a deferred closure, after draining so the connection is reused.
func Drained(c *http.Client, req *http.Request) (int, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}()
	return resp.StatusCode, nil
}

// EveryPath closes explicitly, on the early return too.
func EveryPath(u string) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errors.New(resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return b, err
}

// SuccessBranch closes inside `if err == nil`, and the else branch has no body to close
// (from cmd/go/internal/vcweb/vcstest).
func SuccessBranch(u string) {
	resp, err := http.Get(u)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	} else {
		log.Print(err)
	}
}

// CloseError checks what Close returns.
func CloseError(u string) (err error) {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	if cerr := resp.Body.Close(); cerr != nil {
		return cerr
	}
	return nil
}

// Loop closes each body before the next iteration and before leaving early.
func Loop(urls []string) (int, error) {
	ok := 0
	for _, u := range urls {
		resp, err := http.Get(u)
		if err != nil {
			return ok, err
		}
		if resp.StatusCode == http.StatusTeapot {
			resp.Body.Close()
			break
		}
		if resp.StatusCode == http.StatusOK {
			ok++
		}
		resp.Body.Close()
	}
	return ok, nil
}

// Drained reads the body to EOF on every path: the transport takes the connection back by
// itself, so nothing stays pinned (a Close would be hygiene, not a fix).
func Drained(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
