package consume

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

// queue hands out n messages as fast as they are asked for, then fails.
type queue struct {
	mu sync.Mutex
	n  int
}

func (q *queue) Receive() (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return "", errors.New("closed")
	}
	q.n--
	return "msg", nil
}

// 100 messages are waiting and each takes 20 ms: unbounded, they are all handled at
// once; bounded, at most 10 (max-goroutines) handlers run besides Consume itself.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	handled := make(chan struct{}, 100)
	done := make(chan error, 1)
	go func() {
		done <- Consume(&queue{n: 100}, func(string) {
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
		t.Fatal("Consume did not return after the queue failed")
	}
	if peak > 10+2 {
		t.Fatalf("goroutine leak: %d goroutines at once for 100 messages, the bound is 10", peak)
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
	if len(handled) != 100 {
		t.Fatalf("%d of 100 messages handled", len(handled))
	}
}
