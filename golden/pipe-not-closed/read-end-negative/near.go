package readendneg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// Closed on every path: the deferred close covers the early return.
func Deferred(nums []int, limit int) (int, error) {
	pr, pw := io.Pipe()
	defer pr.Close()
	go func() {
		pw.CloseWithError(json.NewEncoder(pw).Encode(nums))
	}()
	var got []int
	if err := json.NewDecoder(pr).Decode(&got); err != nil {
		return 0, err
	}
	if len(got) > limit {
		return 0, errors.New("too many")
	}
	pr.Close()
	return len(got), nil
}

// Closed on each path by hand.
func EveryPath(src []byte, put func(io.Reader) error) error {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, bytes.NewReader(src))
		pw.CloseWithError(err)
	}()
	if err := put(pr); err != nil {
		pr.CloseWithError(err)
		return err
	}
	pr.Close()
	return nil
}

// Handed to net/http as a request body: the transport closes it, even when the request
// fails; the close after the request is for the early return that cannot happen.
func Upload(ctx context.Context, c *http.Client, url string, v any) error {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(json.NewEncoder(pw).Encode(v))
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, pr)
	if err != nil {
		pr.Close()
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Returned: the caller reads it, and closes it.
func Stream(v any, check func() error) (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(json.NewEncoder(pw).Encode(v))
	}()
	if err := check(); err != nil {
		pr.Close()
		return nil, err
	}
	return pr, nil
}

// Read by a goroutine that outlives the function.
func Background(src []byte, sink func(io.Reader) error, errc chan<- error) error {
	pr, pw := io.Pipe()
	go func() {
		_, err := pw.Write(src)
		pw.CloseWithError(err)
	}()
	if len(src) == 0 {
		pr.Close()
		return errors.New("empty")
	}
	go func() { errc <- sink(pr) }()
	return nil
}

// The goroutine never writes: it only ends the stream, which nobody is blocked on.
func CloseOnly(put func(io.Reader) error, stop <-chan struct{}) error {
	pr, pw := io.Pipe()
	go func() {
		<-stop
		pw.Close()
	}()
	if err := put(pr); err != nil {
		return err
	}
	pr.Close()
	return nil
}

// The goroutine writes through a writer whose writes give up after a timeout (minio's
// ReadMultiple and xioutil.NewDeadlineWriter): it is not stuck for good.
func Bounded(src []byte, put func(io.Reader) error) error {
	pr, pw := io.Pipe()
	go func() {
		_, err := newDeadlineWriter(pw, time.Second).Write(src)
		pw.CloseWithError(err)
	}()
	if err := put(pr); err != nil {
		return err
	}
	pr.Close()
	return nil
}

type deadlineWriter struct {
	w io.Writer
	d time.Duration
}

func newDeadlineWriter(w io.Writer, d time.Duration) io.Writer { return deadlineWriter{w, d} }

func (dw deadlineWriter) Write(b []byte) (int, error) {
	type result struct {
		n   int
		err error
	}
	c := make(chan result, 1)
	go func() {
		n, err := dw.w.Write(b)
		c <- result{n, err}
	}()
	select {
	case r := <-c:
		return r.n, r.err
	case <-time.After(dw.d):
		return 0, errors.New("write timed out")
	}
}
