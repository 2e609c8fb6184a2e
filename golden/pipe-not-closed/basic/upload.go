package upload

import (
	"encoding/json"
	"io"
)

// Upload streams v as JSON to send, which reads the body to its end.
func Upload(v any, send func(io.Reader) error) error {
	pr, pw := io.Pipe() // want "pw is not closed on every path of the goroutine writing it: whoever reads pr then waits forever"
	go func() {
		err := json.NewEncoder(pw).Encode(v)
		if err != nil {
			return
		}
		pw.Close()
	}()
	return send(pr)
}
