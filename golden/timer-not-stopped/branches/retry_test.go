package branches

import (
	"testing"
	"time"
)

func TestFetch(t *testing.T) {
	if got := Fetch("hit", nil, time.Hour); got != "hit" {
		t.Fatalf("cached: got %q", got)
	}
	backend := make(chan string, 1)
	backend <- "db"
	if got := Fetch("", backend, time.Hour); got != "db" {
		t.Fatalf("backend: got %q", got)
	}
	if got := Fetch("", nil, time.Millisecond); got != "timeout" {
		t.Fatalf("deadline: got %q", got)
	}
}

func TestRace(t *testing.T) {
	ok := make(chan bool, 2)
	ok <- false
	ok <- true
	if got := Race(ok, time.Hour, time.Hour); got != "ok" {
		t.Fatalf("got %q, want ok", got)
	}
	if got := Race(nil, time.Millisecond, time.Hour); got != "soft" {
		t.Fatalf("got %q, want soft", got)
	}
	if got := Race(nil, time.Hour, time.Millisecond); got != "hard" {
		t.Fatalf("got %q, want hard", got)
	}
}
