// Package goleak stands for go.uber.org/goleak: VerifyTestMain runs the tests, then fails
// the run if goroutines started by them are still there.
package goleak

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// VerifyTestMain runs m and exits non-zero when goroutines are left behind.
func VerifyTestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine() - before; code == 0 && n > 0 {
		fmt.Fprintf(os.Stderr, "goleak: %d goroutines left behind\n", n)
		code = 1
	}
	os.Exit(code)
}
