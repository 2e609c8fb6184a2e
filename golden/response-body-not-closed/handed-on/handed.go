package handed

import (
	"io"
	"net/http"
)

// Open returns the response: closing its body is the caller's job.
func Open(u string) (*http.Response, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		closeBody(resp)
		return nil, io.ErrUnexpectedEOF
	}
	return resp, nil
}

// Stream hands the body itself to the caller.
func Stream(c *http.Client, req *http.Request) (io.ReadCloser, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Status drains and closes the body through a helper.
func Status(u string) (int, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	drainAndClose(resp.Body)
	return resp.StatusCode, nil
}

// Async gives the response to a goroutine that closes it.
func Async(u string, sizes chan<- int64) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	go func() {
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		sizes <- n
	}()
	return nil
}

// Pending keeps the response for later.
type Pending struct{ resp *http.Response }

func Start(u string) (*Pending, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	return &Pending{resp: resp}, nil
}

func (p *Pending) Close() error { return p.resp.Body.Close() }

func closeBody(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func drainAndClose(body io.ReadCloser) {
	io.Copy(io.Discard, body)
	body.Close()
}
