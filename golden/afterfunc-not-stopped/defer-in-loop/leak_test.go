package attempts

import (
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

type conn struct{ closed atomic.Int32 }

func (c *conn) Close() error {
	c.closed.Add(1)
	return nil
}

// The first attempt fails at once, the second takes a while: the first attempt's timer
// must not close its conn while the second runs.
func TestLeak(t *testing.T) {
	failed, slow := &conn{}, &conn{}
	err := Retry([]io.Closer{failed, slow}, 20*time.Millisecond, func(c io.Closer) error {
		if c == failed {
			return errors.New("refused")
		}
		time.Sleep(60 * time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := failed.closed.Load(); n != 0 {
		t.Fatalf("timer leak: the failed attempt's timer closed its conn %d time(s) after the attempt", n)
	}
}
