package sum

import (
	"crypto/sha256"
	"fmt"
	"io"
)

// Checksum hashes the fetched parts as they arrive.
func Checksum(parts []string, fetch func(string) ([]byte, error)) (string, error) {
	pr, pw := io.Pipe() // want "pw is not closed on every path of the function writing it: whoever reads pr then waits forever"
	sums := make(chan string, 1)
	go func() {
		h := sha256.New()
		io.Copy(h, pr)
		sums <- fmt.Sprintf("%x", h.Sum(nil))
	}()
	for _, p := range parts {
		b, err := fetch(p)
		if err != nil {
			return "", err
		}
		pw.Write(b)
	}
	pw.Close()
	return <-sums, nil
}
