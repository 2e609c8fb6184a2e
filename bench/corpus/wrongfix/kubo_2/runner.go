// Package harness reproduces kubo test/cli/harness/run.go (Runner.Run) in Verbose mode, used
// with RunFunc (*exec.Cmd).Start as StartDaemon and many tests use it.
package harness

import (
	"bytes"
	"io"
	"os"
	"os/exec"
)

// run is Runner.Run's shape at kubo 867cdc5 (run.go:62-110), Verbose; closeOnReturn is the
// only line the fix changes (runner_input.go, runner_patched.go).
func run(cmd *exec.Cmd, runFunc func(*exec.Cmd) error) (*bytes.Buffer, error) {
	outbuf := &bytes.Buffer{}
	or, ow := io.Pipe()
	defer closeOnReturn(ow)
	errr, errw := io.Pipe()
	defer closeOnReturn(errw)
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
