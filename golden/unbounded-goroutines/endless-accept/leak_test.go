package server

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// listener hands out n connections as fast as they are asked for, then fails.
type listener struct {
	mu sync.Mutex
	n  int
}

func (l *listener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == 0 {
		return nil, errors.New("closed")
	}
	l.n--
	return nil, nil
}

func (l *listener) Close() error   { return nil }
func (l *listener) Addr() net.Addr { return nil }

func settle(base int) int { // poll until back to base or 2 s pass
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// 100 connections arrive at once and each takes 20 ms: unbounded, they all run together;
// bounded, at most 10 (max-goroutines) handlers run besides Serve itself.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	handled := make(chan struct{}, 100)
	done := make(chan error, 1)
	go func() {
		done <- Serve(&listener{n: 100}, func(net.Conn) {
			time.Sleep(20 * time.Millisecond)
			handled <- struct{}{}
		})
	}()
	peak := 0
	for deadline := time.Now().Add(5 * time.Second); len(handled) < 100 && time.Now().Before(deadline); {
		peak = max(peak, runtime.NumGoroutine()-base)
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Serve did not return after the listener failed")
	}
	if peak > 10+2 {
		t.Fatalf("goroutine leak: %d goroutines at once for 100 connections, the bound is 10", peak)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
	if len(handled) != 100 {
		t.Fatalf("%d of 100 connections handled", len(handled))
	}
}
