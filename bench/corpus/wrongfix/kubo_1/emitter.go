// Package dagexport reproduces kubo core/commands/dag/export.go (dagExport) as run without a
// daemon: go-ipfs-cmds hands the emitted pipe reader to the CLI PostRun (finishCLIExport) over
// a channel, and that PostRun copies it to stdout on its own goroutine while Run goes on.
package dagexport

import "io"

// chanEmitter is go-ipfs-cmds' chan response emitter: Emit hands the value over and returns.
type chanEmitter struct{ ch chan any }

func (e *chanEmitter) Emit(v any) error {
	e.ch <- v
	return nil
}

// writeCAR stands for gocar.TraverseV1 writing the CAR in blocks.
func writeCAR(w io.Writer, car []byte) error {
	for len(car) > 0 {
		n := min(len(car), 4096)
		if _, err := w.Write(car[:n]); err != nil {
			return err
		}
		car = car[n:]
	}
	return nil
}
