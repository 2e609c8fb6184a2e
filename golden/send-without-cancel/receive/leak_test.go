package workers

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

// Nobody ever sends: once ctx is cancelled the workers must go away.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		Work(ctx, make(chan int), &sync.Map{})
		Latest(ctx, make(chan string), func(string) {})
		Gate(ctx, make(chan int), func() {})
		(&Mailbox{inbox: make(chan string)}).Run(ctx, func(string) {})
		cancel()
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
