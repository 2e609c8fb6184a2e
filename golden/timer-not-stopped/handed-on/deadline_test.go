package deadline

import (
	"testing"
	"time"
)

func TestDeadline(t *testing.T) {
	within(t, 5*time.Second, func() {
		ready := make(chan string, 1)
		ready <- "r"
		if r, tm := Deadline(ready, time.Hour); r != "r" || tm != nil {
			t.Errorf("Deadline = %q, %v", r, tm)
		}
		r, tm := Deadline(make(chan string), 10*time.Millisecond)
		if r != "" || tm == nil {
			t.Errorf("Deadline = %q, %v", r, tm)
			return
		}
		<-tm.C // the caller's timer still fires
	})
}
