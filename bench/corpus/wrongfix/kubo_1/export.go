package dagexport

import "io"

// export is dagExport's shape at kubo 867cdc5 (export.go:80-143); closeOnReturn is the only
// line the fix changes (export_input.go, export_patched.go).
func export(re *chanEmitter, car []byte) error {
	pipeR, pipeW := io.Pipe()
	defer closeOnReturn(pipeR)

	errCh := make(chan error, 2) // we only report the 1st error
	go func() {
		defer func() {
			if err := pipeW.Close(); err != nil {
				errCh <- err
			}
			close(errCh)
		}()
		if err := writeCAR(pipeW, car); err != nil {
			errCh <- err
		}
	}()

	if err := re.Emit(pipeR); err != nil {
		pipeR.Close()
		return err
	}
	return <-errCh
}
