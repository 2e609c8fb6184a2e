package negative

import (
	"encoding/json"
	"io"
)

// Closed with the encoder's error, whatever it is.
func Encoded(v any) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(json.NewEncoder(pw).Encode(v))
	}()
	return pr
}

// Deferred close, error paths included.
func Deferred(lines []string, read func(io.Reader)) {
	pr, pw := io.Pipe()
	go func() {
		defer pw.Close()
		for _, ln := range lines {
			if ln == "" {
				return
			}
			io.WriteString(pw, ln)
		}
	}()
	read(pr)
}

// Handed to a function of the package (another file) that closes it on every path.
func Handed(lines []string) io.Reader {
	pr, pw := io.Pipe()
	go writeAll(pw, lines)
	return pr
}

// Reported: the close's result is what the goroutine sends back (nats-server's test shape).
func Reported(lines []string, read func(io.Reader)) error {
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		for _, ln := range lines {
			if _, err := io.WriteString(pw, ln); err != nil {
				errc <- pw.CloseWithError(err)
				return
			}
		}
		errc <- pw.Close()
	}()
	read(pr)
	return <-errc
}

// Framed: the compressed stream ends in-band when the writer made around pw is closed.
func Framed(msgs []string, read func(io.Reader)) {
	pr, pw := io.Pipe()
	go func() {
		zw := newFramer(pw)
		for _, m := range msgs {
			zw.Write([]byte(m))
		}
		zw.Close()
	}()
	read(pr)
}

// CloseLater: closed by a goroutine of its own (net/http's test shape).
func CloseLater(read func(io.Reader)) {
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "x")
		go pw.Close()
	}()
	read(pr)
}

// AsCloser: handed over as an io.WriteCloser to a function that closes it on every path.
func AsCloser(lines []string) io.Reader {
	pr, pw := io.Pipe()
	go writeCloser(pw, lines)
	return pr
}
