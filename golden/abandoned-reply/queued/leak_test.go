package server

import (
	"context"
	"testing"
	"time"
)

// A request whose caller gives up must not wedge the server: the next one is answered.
func TestLeak(t *testing.T) {
	s := New(map[string]int{"a": 1}, func() { time.Sleep(20 * time.Millisecond) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := s.Get(ctx, "a"); err == nil {
		t.Fatal("Get answered before its deadline")
	}
	done := make(chan int)
	go func() { v, _ := s.Get(context.Background(), "a"); done <- v }()
	select {
	case v := <-done:
		if v != 1 {
			t.Fatalf("Get = %d", v)
		}
	case <-time.After(time.Second):
		t.Fatal("goroutine leak: the server is blocked forever on a reply nobody reads")
	}
}
