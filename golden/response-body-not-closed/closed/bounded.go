package closed

import (
	"context"
	"net/http"
	"time"
)

// Post's request context is cancelled as it returns: the transport then closes the
// connection, so nothing it leaves unread outlives it (tailscale's ping replies).
func Post(c *http.Client, u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	_, err = c.Do(req)
	return err
}
