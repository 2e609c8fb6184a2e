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

// putAll waits for one report per key as etcd's multi-watcher test does, after its puts:
// a failed put stops the test there (Fatal ends its goroutine), and every watcher is left
// with its report to send.
func putAll(t testing.TB, keys []string, put func(string) error) {
	donec := make(chan struct{}) // want "stops the test \\(t.Fatal\\) before it has received every send"
	for _, k := range keys {
		go func(key string) {
			time.Sleep(time.Millisecond) // watches key
			donec <- struct{}{}
		}(k)
	}
	for _, k := range keys {
		if err := put(k); err != nil {
			t.Fatal(err)
		}
	}
	for range keys {
		<-donec
	}
}

func TestPutAll(t *testing.T) {
	putAll(t, []string{"a", "b"}, func(string) error { return nil })
}
