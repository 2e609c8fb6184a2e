package handshake

import (
	"io"
	"time"
)

// Handshake closes conn if the peer does not answer in time; an error skips the Stop, and
// the timer closes conn later, whoever uses it by then.
func Handshake(conn io.Closer, d time.Duration, hello func() error) error {
	t := time.AfterFunc(d, func() { conn.Close() }) // want "timer t from time.AfterFunc is stopped on some paths but not on the way out at line 13"
	if err := hello(); err != nil {
		return err
	}
	t.Stop()
	return nil
}
