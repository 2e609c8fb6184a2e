package relay

import (
	"reflect"
	"testing"
	"time"
)

func TestRelay(t *testing.T) {
	in, out := make(chan int), make(chan int, 10)
	go func() {
		for _, v := range []int{1, -1, 2, 3} {
			in <- v
		}
	}()
	if err := Relay(in, out, 100*time.Millisecond); err != ErrIdle {
		t.Fatalf("Relay = %v, want ErrIdle once input stops", err)
	}
	close(out)
	var got []int
	for v := range out {
		got = append(got, v)
	}
	if !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Fatalf("forwarded %v, want [1 2 3]", got)
	}
	in2 := make(chan int, 1)
	in2 <- 5
	if err := Relay(in2, make(chan int), 20*time.Millisecond); err != ErrStuck {
		t.Fatalf("Relay = %v, want ErrStuck when nobody reads", err)
	}
}

func TestCollect(t *testing.T) {
	fast, slow := make(chan string, 1), make(chan string)
	fast <- "done"
	jobs := []Job{{"a", fast}, {"b", nil}, {"c", slow}}
	got := Collect(jobs, struct{ Timeout time.Duration }{10 * time.Millisecond})
	if want := []string{"a: done", "c: timeout"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Collect = %q, want %q", got, want)
	}
	closed := make(chan string)
	close(closed)
	if got := Collect([]Job{{"x", closed}, {"y", fast}}, struct{ Timeout time.Duration }{time.Hour}); len(got) != 0 {
		t.Fatalf("Collect = %q, want nothing after a closed reply channel", got)
	}
}
