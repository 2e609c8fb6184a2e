package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ErrUnreachable is what a health check returns when the upstream does not answer.
var ErrUnreachable = errors.New("upstream unreachable")

// Fetcher downloads documents with a per-request timeout.
type Fetcher struct {
	Client  *http.Client
	Timeout time.Duration
}

// Fetch returns the body of url.
func (f *Fetcher) Fetch(ctx context.Context, url string) ([]byte, error) {
	reqCtx, _ := context.WithTimeout(ctx, f.Timeout)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// Reachable reports whether url answers a GET request with a 2xx status.
func (f *Fetcher) Reachable(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return false
	}
	return resp.StatusCode/100 == 2
}
