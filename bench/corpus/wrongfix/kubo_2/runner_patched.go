//go:build patched

package harness

import (
	"bytes"
	"io"
	"os"
	"os/exec"
)

// run as gofixleaks a06f251 patches it (pipe-not-closed): `defer ow.Close()`, `defer errw.Close()`.
func run(cmd *exec.Cmd, runFunc func(*exec.Cmd) error) (*bytes.Buffer, error) {
	outbuf := &bytes.Buffer{}
	or, ow := io.Pipe()
	defer ow.Close()
	errr, errw := io.Pipe()
	defer errw.Close()
	stdout := io.MultiWriter(outbuf, ow)
	stderr := io.MultiWriter(io.Discard, errw)
	go func() {
		_, _ = io.Copy(os.Stdout, or)
	}()
	go func() {
		_, _ = io.Copy(os.Stderr, errr)
	}()
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	return outbuf, runFunc(cmd)
}
