package kind

import (
	"io"
	"net/http"
)

// Kind tells what reader the transport handed back: looking at the body's type keeps it
// here, so it still has to be closed.
func Kind(u string) (string, error) {
	resp, err := http.Get(u) // want "the body of resp from http.Get is never closed"
	if err != nil {
		return "", err
	}
	switch resp.Body.(type) {
	case io.WriterTo:
		return "writer-to", nil
	}
	return "plain", nil
}

// Seekable asks the same with a type assertion.
func Seekable(u string) (bool, error) {
	resp, err := http.Get(u) // want "the body of resp from http.Get is never closed"
	if err != nil {
		return false, err
	}
	_, ok := resp.Body.(io.Seeker)
	return ok, nil
}

// Unwrapped binds the body in a type switch: the case may hand it on, so it is not reported.
func Unwrapped(u string) (io.ReadCloser, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	switch b := resp.Body.(type) {
	case io.ReadCloser:
		return b, nil
	}
	return nil, nil
}
