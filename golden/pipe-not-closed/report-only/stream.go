package stream

import (
	"encoding/json"
	"io"
)

// write encodes vs, stopping quietly at the first nil.
func write(pw *io.PipeWriter, vs []any) {
	enc := json.NewEncoder(pw)
	for _, v := range vs {
		if v == nil {
			return
		}
		enc.Encode(v)
	}
	pw.Close()
}

// Stream streams vs through write.
func Stream(vs []any) io.Reader {
	pr, pw := io.Pipe() // want "pw is not closed on every path"
	go write(pw, vs)
	return pr
}

// Lines writes the lines, but stops early without an error.
func Lines(lines []string, read func(io.Reader)) {
	pr, pw := io.Pipe() // want "pw is not closed on every path"
	go func() {
		for _, ln := range lines {
			if ln == "" {
				return
			}
			io.WriteString(pw, ln)
		}
		pw.Close()
	}()
	read(pr)
}
