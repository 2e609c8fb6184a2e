package stream

import (
	"bytes"
	"io"
	"os"
	"os/exec"
)

// Store keeps objects; Put may give up before it has read all of r, or keep r to read later.
type Store interface {
	Put(name string, r io.Reader) error
}

// CopyObject streams src into the store (minio's CopyObjectHandler before its fix): a Put
// that gives up strands the copy, but a Put that keeps r would be cut off by a close here.
func CopyObject(s Store, name string, src []byte) error {
	pr, pw := io.Pipe() // want "pr is left open at line 27 while the goroutine writes pw"
	go func() {
		_, err := io.Copy(pw, bytes.NewReader(src))
		pw.CloseWithError(err)
	}()
	if err := s.Put(name, pr); err != nil {
		pr.Close()
		return err
	}
	return nil
}

// Emitter hands values to another goroutine (kubo's cmds.ResponseEmitter).
type Emitter interface {
	Emit(v any) error
}

// Export hands the reader to the emitter, whose consumer copies it out after Export returns.
func Export(re Emitter, car []byte) error {
	pipeR, pipeW := io.Pipe() // want "pipeR is left open at line 48 while the goroutine writes pipeW"
	errCh := make(chan error, 1)
	go func() {
		_, err := pipeW.Write(car)
		pipeW.CloseWithError(err)
		errCh <- err
	}()
	if err := re.Emit(pipeR); err != nil {
		pipeR.Close()
		return err
	}
	return <-errCh
}

// Run tees a command's output to the terminal; start may only start the command, which
// then writes through stdout after Run returns (kubo's test harness).
func Run(cmd *exec.Cmd, verbose bool, start func(*exec.Cmd) error) error {
	var stdout io.Writer = io.Discard
	if verbose {
		or, ow := io.Pipe() // want "ow is not closed on every path"
		stdout = io.MultiWriter(stdout, ow)
		go func() {
			_, _ = io.Copy(os.Stdout, or)
		}()
	}
	cmd.Stdout = stdout
	return start(cmd)
}
