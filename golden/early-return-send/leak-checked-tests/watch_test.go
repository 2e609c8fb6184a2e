package lc

import (
	"testing"
	"time"
)

// watch waits for recv's result as etcd's watch-restore test does: its timeout fails the
// test, and in a package whose tests check for leaks the sender it strands fails that
// check and the tests after it.
func watch(t testing.TB, recv func() error, timeout time.Duration) {
	errc := make(chan error) // want "block forever once its receiver takes another case of its select"
	go func() {
		errc <- recv()
	}()
	select {
	case <-time.After(timeout):
		t.Fatal("took too long to receive")
	case err := <-errc:
		if err != nil {
			t.Fatalf("recv: %v", err)
		}
	}
}

func TestWatch(t *testing.T) {
	watch(t, func() error { return nil }, 5*time.Second)
}
