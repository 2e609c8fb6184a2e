package fetch

import (
	"fmt"
	"io"
	"net/http"
)

// Fetch returns the body of url, or an error for any status but 200.
func Fetch(client *http.Client, url string) ([]byte, error) {
	resp, err := client.Get(url) // want "the body of resp from client.Get is not closed on every path"
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}

	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
