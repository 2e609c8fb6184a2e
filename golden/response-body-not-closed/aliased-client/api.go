package api

import (
	"context"
	nethttp "net/http"
)

// API talks to one backend through its own client.
type API struct {
	client *nethttp.Client
	base   string
}

// ETag asks the backend for the current version of a resource.
func (a *API) ETag(ctx context.Context, path string) (string, error) {
	req, err := nethttp.NewRequestWithContext(ctx, nethttp.MethodGet, a.base+path, nil)
	if err != nil {
		return "", err
	}
	res, err := a.client.Do(req) // want "the body of res from a.client.Do is never closed"
	if err != nil {
		// the request never reached the backend
		return "", err
	}
	return res.Header.Get("ETag"), nil
}
