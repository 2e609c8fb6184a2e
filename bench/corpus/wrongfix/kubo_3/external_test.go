package external

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain doubles as the external binary: it prints 1 MB (a help text, a listing...).
func TestMain(m *testing.M) {
	if os.Getenv("WRONGFIX_EXTERNAL") == "1" {
		fmt.Print(strings.Repeat("x", 1<<20))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var errClientGone = errors.New("client went away")

// waiterEnds runs the command with emit and reports whether the waiting goroutine ends.
func waiterEnds(t *testing.T, emit func(io.Reader) error) bool {
	t.Setenv("WRONGFIX_EXTERNAL", "1")
	ended := make(chan struct{})
	err := run(emit, func() { close(ended) }, os.Args[0], "-test.run=^$")
	if !errors.Is(err, errClientGone) {
		t.Fatalf("run: %v", err)
	}
	select {
	case <-ended:
		return true
	case <-time.After(2 * time.Second):
		return false
	}
}

// The half the patch repairs: Emit read everything, then failed (a last flush): the waiter is
// left on the send. Fails on the input; passes on the patched code and the right fix.
func TestEmitFailsAtTheEnd(t *testing.T) {
	if !waiterEnds(t, func(r io.Reader) error {
		_, _ = io.Copy(io.Discard, r)
		return errClientGone
	}) {
		t.Fatal("the goroutine waiting for the binary is still blocked 2 s after Run returned")
	}
}

// The half it leaves: the client went away mid-stream; the binary blocks writing into the
// pipe nobody reads, cmd.Wait never returns. Fails on the input AND the patched code; passes
// with -tags rightfix.
func TestEmitFailsMidStream(t *testing.T) {
	if !waiterEnds(t, func(r io.Reader) error {
		_, _ = r.Read(make([]byte, 10))
		return errClientGone
	}) {
		t.Fatal("the goroutine waiting for the binary (and the binary) still blocked 2 s after Run returned")
	}
}
