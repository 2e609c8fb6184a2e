package detached

import (
	"context"
	"net/http"
	"time"
)

// Fetch hands the response on: its body is read after Fetch returns, with the request's
// context still alive. A cancel deferred here would cut the body short, so the discarded
// cancel is reported without a fix.
func Fetch(client *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	ctx, _ := context.WithTimeout(context.Background(), 30*time.Second) // want "the cancel func of context.WithTimeout is discarded"
	req = req.WithContext(ctx)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}
