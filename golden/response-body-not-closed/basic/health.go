package health

import "net/http"

// Healthy reports whether the service at url answers 200 OK.
func Healthy(url string) (bool, error) {
	resp, err := http.Get(url) // want "the body of resp from http.Get is never closed"
	if err != nil {
		return false, err
	}
	return resp.StatusCode == http.StatusOK, nil
}
