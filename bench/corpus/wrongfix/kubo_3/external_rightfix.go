//go:build rightfix

package external

import (
	"io"
	"os/exec"
)

// run with the whole repair: the buffer, and the reader closed when nobody will read it, so
// the child's writes fail and cmd.Wait returns.
func run(emit func(io.Reader) error, finished func(), name string, args ...string) error {
	r, w := io.Pipe()
	cmd := exec.Command(name, args...)
	cmd.Stdout = w
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		return err
	}

	errC := make(chan error, 1)

	go func() {
		defer finished()
		var err error
		defer func() { errC <- err }()
		err = cmd.Wait()
		w.Close()
	}()

	if err := emit(r); err != nil {
		r.CloseWithError(err)
		return err
	}

	return <-errC
}
