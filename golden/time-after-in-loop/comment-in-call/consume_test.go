package consume

import (
	"testing"
	"time"
)

// Messages spaced well under the idle timeout all get through, although together they
// take several timeouts' worth of time: the timeout restarts on every pass.
func TestMessagesFlow(t *testing.T) {
	const idle = 200 * time.Millisecond
	msgs := make(chan string)
	go func() {
		for i := 0; i < 15; i++ {
			time.Sleep(idle / 8)
			msgs <- "m"
		}
	}()
	var got []string
	if n := Consume(msgs, idle, func(m string) { got = append(got, m) }); n != 15 || len(got) != 15 {
		t.Fatalf("Consume = %d (handled %d), want 15", n, len(got))
	}
}

// With nothing to read the idle timeout fires, and no sooner than idle.
func TestIdleTimeoutFires(t *testing.T) {
	const idle = 50 * time.Millisecond
	start := time.Now()
	if n := Consume(make(chan string), idle, func(string) {}); n != 0 {
		t.Fatalf("Consume = %d, want 0", n)
	}
	if waited := time.Since(start); waited < idle {
		t.Fatalf("returned after %v, before the idle timeout %v", waited, idle)
	}
}
