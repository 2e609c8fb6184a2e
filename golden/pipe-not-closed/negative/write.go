package negative

import "io"

func writeAll(pw *io.PipeWriter, lines []string) {
	defer pw.Close()
	for _, ln := range lines {
		if _, err := io.WriteString(pw, ln); err != nil {
			return
		}
	}
}

type framer struct{ w io.Writer }

func newFramer(w io.Writer) *framer           { return &framer{w} }
func (f *framer) Write(b []byte) (int, error) { return f.w.Write(b) }
func (f *framer) Close() error                { _, err := f.w.Write([]byte{0}); return err }

func writeCloser(w io.WriteCloser, lines []string) {
	defer w.Close()
	for _, ln := range lines {
		io.WriteString(w, ln)
	}
}
