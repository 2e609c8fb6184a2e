package crawl

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// 100 URLs arrive at once and each fetch takes 20 ms: without a limit the group runs
// them all together; with SetLimit(10), at most 10.
func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	urls := make(chan string, 100)
	for i := 0; i < 100; i++ {
		urls <- "u"
	}
	close(urls)
	done := make(chan error, 1)
	go func() {
		done <- Crawl(context.Background(), urls, func(context.Context, string) error {
			time.Sleep(20 * time.Millisecond)
			return nil
		})
	}()
	peak := 0
	for deadline := time.Now().Add(5 * time.Second); len(done) == 0 && time.Now().Before(deadline); {
		peak = max(peak, runtime.NumGoroutine()-base)
		time.Sleep(time.Millisecond)
	}
	if peak > 10+2 {
		t.Fatalf("goroutine leak: %d goroutines at once for 100 URLs, the limit is 10", peak)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Crawl did not return")
	}
}
