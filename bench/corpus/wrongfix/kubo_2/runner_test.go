package harness

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain doubles as the started command: a daemon that prints as it starts and again later.
func TestMain(m *testing.M) {
	if os.Getenv("WRONGFIX_DAEMON") == "1" {
		fmt.Println("Daemon is ready")
		time.Sleep(200 * time.Millisecond)
		fmt.Println("later output")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStartedCommandKeepsItsOutput: a command started with RunFunc Start writes after run
// returns; its output must reach outbuf and it must exit cleanly. Passes on the input; on the
// patched run the closed pipe makes the MultiWriter fail, exec stops copying and closes its
// pipe, and the child's next write to stdout gets EPIPE (SIGPIPE for a Go program).
func TestStartedCommandKeepsItsOutput(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "WRONGFIX_DAEMON=1")
	outbuf, err := run(cmd, (*exec.Cmd).Start)
	if err != nil {
		t.Fatal(err)
	}
	waitErr := cmd.Wait()
	if waitErr != nil {
		t.Errorf("daemon did not exit cleanly: %v", waitErr)
	}
	if !strings.Contains(outbuf.String(), "later output") {
		t.Errorf("output written after Run returned is lost: %q", outbuf.String())
	}
}
