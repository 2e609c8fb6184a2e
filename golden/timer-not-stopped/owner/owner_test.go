package owner

import (
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	out := make(chan string, 1)
	Watch(make(chan struct{}), time.Millisecond, out)
	if got := <-out; got != "idle" {
		t.Fatalf("no events: got %q, want idle", got)
	}
	events := make(chan struct{})
	close(events)
	Watch(events, time.Hour, out)
	if got := <-out; got != "closed" {
		t.Fatalf("closed events: got %q, want closed", got)
	}
}
