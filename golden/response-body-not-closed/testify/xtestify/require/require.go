// Package require is a stand-in for testify's: NoError stops the test on an error.
package require

// T is what the assertions report to.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
}

// NoError stops the test when err is not nil.
func NoError(t T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// Error stops the test when err is nil.
func Error(t T, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("an error is due")
	}
}
