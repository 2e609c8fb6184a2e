package attempts

import (
	"io"
	"time"
)

// Retry gives each attempt d to answer, closing its conn otherwise; a failed attempt's
// timer stays armed until Retry returns, closing a conn long after its attempt ended.
func Retry(conns []io.Closer, d time.Duration, try func(io.Closer) error) error {
	var err error
	for _, c := range conns {
		t := time.AfterFunc(d, func() { c.Close() }) // want "timer t from time.AfterFunc is stopped by a defer inside a loop"
		defer t.Stop()
		if err = try(c); err == nil {
			return nil
		}
	}
	return err
}
