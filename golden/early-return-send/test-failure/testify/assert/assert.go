// Package assert stands for github.com/stretchr/testify/assert: its checks report a failure
// and return false.
package assert

import "testing"

// NoError fails the test and returns false when err is not nil.
func NoError(t *testing.T, err error) bool {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}

// Fail fails the test and returns false.
func Fail(t *testing.T, message string) bool {
	t.Error(message)
	return false
}
