package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// These tests fail on the leaky code and pass once `gofixleaks fix --write` has run.

// settle waits until the goroutine count is back to base, or 2 s have passed.
func settle(base int) int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// steady is the goroutine count once it has stopped changing (at most 2 s): goroutines an
// earlier test left still winding down would otherwise end during the next test and hide
// the ones it leaks.
func steady() int {
	deadline := time.Now().Add(2 * time.Second)
	n := runtime.NumGoroutine()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

func checkLeak(t *testing.T, base int) {
	t.Helper()
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}

// The refresh goroutine ranges over an hourly ticker and never looks at ctx.
func TestLeakStartRefresh(t *testing.T) {
	base := steady()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		c := &Cache{Timeout: time.Second, Load: func() (map[string]string, error) { return nil, nil }}
		c.StartRefresh(ctx, time.Hour)
		cancel()
	}
	checkLeak(t, base)
}

// A load slower than the timeout leaves its goroutine blocked on the result channel.
func TestLeakRefresh(t *testing.T) {
	base := steady()
	for i := 0; i < 10; i++ {
		c := &Cache{Timeout: time.Millisecond, Load: func() (map[string]string, error) {
			time.Sleep(50 * time.Millisecond)
			return map[string]string{}, nil
		}}
		if err := c.Refresh(); err == nil {
			t.Fatal("want a timeout")
		}
	}
	checkLeak(t, base)
}

// An unclosed response body keeps its connection, and the goroutines serving it, busy.
func TestLeakReachable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	f := &Fetcher{Client: client, Timeout: time.Second}
	base := steady()
	for i := 0; i < 10; i++ {
		if !f.Reachable(context.Background(), srv.URL) {
			t.Fatal("server not reachable")
		}
	}
	client.CloseIdleConnections()
	checkLeak(t, base)
}

// The warming loop runs on after its context is cancelled: warm has no ctx to watch.
func TestLeakStartWarming(t *testing.T) {
	base := steady()
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cache{Timeout: time.Second, Load: func() (map[string]string, error) { return nil, nil }}
	c.StartWarming(ctx, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	cancel()
	checkLeak(t, base)
}
