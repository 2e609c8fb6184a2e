package lookup

import (
	"errors"
	"time"
)

var ErrTimeout = errors.New("lookup timed out")

// Lookup asks resolve for name's address, giving up after d.
func Lookup(name string, d time.Duration, resolve func(string) string) (string, error) {
	reply := make(chan string) // want "reply is handed to ask, which sends the answer on it, but this select can stop waiting \\(a timeout\\): the sender then blocks forever"
	go ask(name, resolve, reply)
	select {
	case addr := <-reply:
		return addr, nil
	case <-time.After(d):
		return "", ErrTimeout
	}
}
