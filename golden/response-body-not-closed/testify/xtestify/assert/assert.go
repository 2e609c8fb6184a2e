// Package assert is a stand-in for testify's: NoError reports an error and says so.
package assert

// T is what the assertions report to.
type T interface {
	Helper()
	Errorf(format string, args ...any)
}

// NoError reports err and returns false when it is not nil.
func NoError(t T, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}

// Error reports a nil err and returns true when err is set.
func Error(t T, err error) bool {
	t.Helper()
	if err == nil {
		t.Errorf("an error is expected but got nil")
		return false
	}
	return true
}
