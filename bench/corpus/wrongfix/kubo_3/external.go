// Package external reproduces kubo core/commands/external.go (ExternalBinary's Run): the
// external binary writes into an io.Pipe whose reader is emitted; a goroutine waits for it.
package external

import (
	"io"
	"os/exec"
)

// run is the Run at kubo 867cdc5 (external.go:39-75); finished is the test's hook. errCBuffer
// and onEmitError are what the fixes change (external_input.go, external_patched.go,
// external_rightfix.go).
func run(emit func(io.Reader) error, finished func(), name string, args ...string) error {
	r, w := io.Pipe()
	cmd := exec.Command(name, args...)
	cmd.Stdout = w
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		return err
	}

	errC := make(chan error, errCBuffer)

	go func() {
		defer finished()
		var err error
		defer func() { errC <- err }()
		err = cmd.Wait()
		w.Close()
	}()

	if err := emit(r); err != nil {
		onEmitError(r, err)
		return err
	}

	return <-errC
}
