package dagexport

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// slowStdout is the terminal or file the PostRun copies to: each write takes a moment.
type slowStdout struct{ buf bytes.Buffer }

func (s *slowStdout) Write(p []byte) (int, error) {
	time.Sleep(2 * time.Millisecond)
	return s.buf.Write(p)
}

// TestExportReachesEOF: the CLI side must read the whole CAR and then io.EOF (io.Copy's nil).
// Passes on the input; on the patched export, Run returns once the writer closed pipeW and its
// deferred pipeR.Close() makes the reader's last Read fail with io.ErrClosedPipe.
func TestExportReachesEOF(t *testing.T) {
	car := bytes.Repeat([]byte("block"), 20000) // 100 kB, 25 writes
	for i := 0; i < 5; i++ {
		re := &chanEmitter{ch: make(chan any)}
		postRun := make(chan error, 1)
		var out slowStdout
		go func() { // finishCLIExport: cmds.Copy of the emitted reader to stdout
			r := (<-re.ch).(io.Reader)
			_, err := io.Copy(&out, r)
			postRun <- err
		}()
		if err := export(re, car); err != nil {
			t.Fatalf("run %d: export: %v", i, err)
		}
		if err := <-postRun; err != nil {
			t.Fatalf("run %d: the CLI's copy of the CAR failed after %d of %d bytes: %v", i, out.buf.Len(), len(car), err)
		}
		if !bytes.Equal(out.buf.Bytes(), car) {
			t.Fatalf("run %d: CAR differs", i)
		}
	}
}
