package session

import (
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	within(t, 5*time.Second, func() {
		msgs := make(chan string)
		go func() {
			for i := 0; i < 5; i++ {
				time.Sleep(20 * time.Millisecond)
				msgs <- "m"
			}
			close(msgs)
		}()
		n := 0
		if err := Serve(msgs, 100*time.Millisecond, func(string) { n++ }); err != nil || n != 5 {
			t.Errorf("Serve = %v after %d messages, want nil after 5", err, n)
		}
		if err := Serve(make(chan string), 10*time.Millisecond, func(string) {}); err != errIdle {
			t.Errorf("Serve on a silent stream = %v, want errIdle", err)
		}
		Keep(time.Millisecond)
	})
}
