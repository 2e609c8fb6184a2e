//go:build patched

package external

import (
	"io"
	"os/exec"
)

// run as gofixleaks a06f251 patches it (early-return-send): errC gets a buffer of 1.
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
		return err
	}

	return <-errC
}
