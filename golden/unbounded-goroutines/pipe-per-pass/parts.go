// Package parts streams each part of an object through a pipe: the loop reads what the
// part's goroutine writes and closes the read end before the next part, so the writer's
// next write fails and it returns: about one goroutine per pass is alive (minio's
// metacache stream).
package parts

import (
	"bufio"
	"io"
)

// Lines reads every part's lines until one part has none.
func Lines(read func(part int, w io.Writer) error) []string {
	var out []string
	for part := 0; ; part++ {
		pr, pw := io.Pipe()
		go func() {
			pw.CloseWithError(read(part, pw))
		}()
		sc := bufio.NewScanner(pr)
		n := 0
		for sc.Scan() {
			out = append(out, sc.Text())
			n++
		}
		pr.CloseWithError(sc.Err())
		if n == 0 {
			return out
		}
	}
}

// Handed gives each read end to consume and goes on without closing it: a consume that
// stops reading early leaves its writer blocked, and the next pass starts another.
func Handed(read func(part int, w io.Writer) error, consume func(io.Reader)) {
	for part := 0; ; part++ {
		pr, pw := io.Pipe()
		go func() { // want "goroutine started in an endless loop with nothing bounding it"
			pw.CloseWithError(read(part, pw))
		}()
		consume(pr)
	}
}
