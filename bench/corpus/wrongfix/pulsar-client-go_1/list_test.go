package admin

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestFailedListLeavesNoGoroutine: one request fails at once, the three others answer 50 ms
// later, after ListWithContext has returned the error. Every getTopics goroutine must end.
// Fails on the input AND on the patched code (the late ones block on the unbuffered errChan,
// which the fix leaves alone); passes with -tags rightfix.
func TestFailedListLeavesNoGoroutine(t *testing.T) {
	var ended atomic.Int32
	tp := &topics{
		get: func(ctx context.Context, endpoint string) ([]string, error) {
			if endpoint == "persistent/partitioned" {
				return nil, errors.New("403 forbidden")
			}
			time.Sleep(50 * time.Millisecond)
			return []string{endpoint + "/t"}, nil
		},
		finished: func() { ended.Add(1) },
	}
	if _, _, err := tp.ListWithContext(context.Background()); err == nil {
		t.Fatal("want the 403 error")
	}
	deadline := time.Now().Add(2 * time.Second)
	for ended.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := ended.Load(); n < 4 {
		t.Fatalf("%d of 4 getTopics goroutines still blocked 2 s after List returned", 4-n)
	}
}

// TestListCollectsEverything: the success path is unchanged by either fix.
func TestListCollectsEverything(t *testing.T) {
	var ended atomic.Int32
	tp := &topics{
		get: func(ctx context.Context, endpoint string) ([]string, error) {
			return []string{endpoint + "/t"}, nil
		},
		finished: func() { ended.Add(1) },
	}
	p, np, err := tp.ListWithContext(context.Background())
	if err != nil || len(p) != 2 || len(np) != 2 {
		t.Fatalf("got %v %v %v", p, np, err)
	}
}
