package failedonly

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
)

// FirstOK asks each responder in turn. The early return is a conjunction with err != nil:
// it runs only when Do failed, so there is no body to close on that path.
func FirstOK(ctx context.Context, urls []string) ([]byte, error) {
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			continue
		}
		defer res.Body.Close()
		if res.StatusCode/100 != 2 {
			continue
		}
		return io.ReadAll(res.Body)
	}
	return nil, errors.New("no responder answered")
}

// Status may expect a timeout: the return nested in another if is taken only when the
// request failed.
func Status(c *http.Client, url string, expectTimeout bool) (int, error) {
	resp, herr := c.Get(url)
	if expectTimeout {
		if herr != nil && strings.Contains(herr.Error(), "deadline") {
			return 0, nil
		}
	}
	if herr != nil {
		return 0, herr
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Nil checks the response itself in the conjunction.
func Nil(url string, strict bool) (int, error) {
	resp, err := http.Get(url)
	if resp == nil && strict {
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Either returns early when the request failed OR the status is wrong: on a wrong status
// the body exists and is never closed.
func Either(url string) (int, error) {
	resp, err := http.Get(url) // want "the body of resp from http.Get is not closed on every path"
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, errors.New("bad")
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Skip reads past the first n bytes, reusing err for the copy: `resp != nil` still tells
// that a body exists, so its branch closes it on every path that has one (rclone's
// imagekit Open).
func Skip(c *http.Client, req *http.Request, n int64) (io.ReadCloser, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, err = io.CopyN(io.Discard, resp.Body, n)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, err
	}
	return resp.Body, nil
}

// SkipOpen tests the reused err instead: it no longer says whether there is a body, and
// the path that returns the copy's error leaves it open.
func SkipOpen(c *http.Client, req *http.Request, n int64) (io.ReadCloser, error) {
	resp, err := c.Do(req) // want "the body of resp from c.Do is not closed on every path"
	if err != nil {
		return nil, err
	}
	_, err = io.CopyN(io.Discard, resp.Body, n)
	if err == nil {
		return resp.Body, nil
	}
	return nil, err
}
