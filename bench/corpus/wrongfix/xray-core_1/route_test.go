package command

import (
	"fmt"
	"testing"
	"time"
)

// TestPublishedRoutesReachTheSubscriber is what TestServiceTestRoute's testOptions checks
// (app/router/command/command_test.go:374-411): every TestRoute with PublishResult delivers its
// result to the subscriber. Passes on the input; with -tags patched the broadcaster finds the
// message's context already cancelled and drops it at random.
func TestPublishedRoutesReachTheSubscriber(t *testing.T) {
	c := NewChannel(16)
	c.Start()
	defer c.Close()
	sub := c.Subscribe()

	lost := 0
	for i := 0; i < 200; i++ {
		route := testRoute(c, fmt.Sprint("route-", i))
		select {
		case msg := <-sub:
			if msg != route {
				t.Fatalf("received %v, want %v", msg, route)
			}
		case <-time.After(100 * time.Millisecond):
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of 200 published routing results never reached the subscriber", lost)
	}
}
