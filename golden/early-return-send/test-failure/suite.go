package work

import (
	"errors"
	"testing"
	"time"

	"example.com/work/testify/assert"
)

// Step is an integration suite's step, written in a plain .go file: it takes the test's t,
// so its timeout case fails the test as it would in a _test.go file. No finding.
func Step(t *testing.T) {
	errCh := make(chan error)
	go func() { errCh <- errors.New("step") }()
	select {
	case err := <-errCh:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		assert.Fail(t, "timeout")
	}
}

// Wait takes no testing.T: its timeout is a way out like any other, and the sender is left
// blocked.
func Wait(log func(string)) {
	errCh := make(chan error) // want "block forever once its receiver takes another case of its select"
	go func() { errCh <- errors.New("wait") }()
	select {
	case err := <-errCh:
		log(err.Error())
	case <-time.After(5 * time.Second):
		log("timeout")
	}
}
