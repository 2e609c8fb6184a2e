package forms

import (
	"testing"
	"time"
)

func TestSettle(t *testing.T) {
	start := time.Now()
	Settle()
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Fatalf("Settle returned after %v, before its beat", waited)
	}
}

func TestPump(t *testing.T) {
	in, out := make(chan int), make(chan int, 3)
	go func() {
		in <- 1
		in <- 2
		close(in)
	}()
	if !Pump(in, out) || len(out) != 2 {
		t.Fatalf("Pump did not forward both values until in closed")
	}
}

func TestThrottle(t *testing.T) {
	in := make(chan int, 3)
	in <- 1
	in <- 2
	in <- 3
	close(in)
	if n := Throttle(in, time.Millisecond); n != 3 {
		t.Fatalf("Throttle = %d, want 3", n)
	}
}

func TestQuote(t *testing.T) {
	var got []string
	report := func(s string, v int) { got = append(got, s) }
	Quote("abc", time.Millisecond, report, func(string) int { return 1 }, func(string) int { return 2 })
	if len(got) != 6 || got[0] != "ABC" {
		t.Fatalf("reports %q, want six for ABC", got)
	}
}

func TestCountdown(t *testing.T) {
	var got []int
	done := make(chan struct{})
	go func() {
		defer close(done)
		Countdown(3, func(n int) { got = append(got, n) })
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Countdown hangs")
	}
	if len(got) != 3 || got[0] != 3 || got[2] != 1 {
		t.Fatalf("Countdown emitted %v, want [3 2 1]", got)
	}
}
