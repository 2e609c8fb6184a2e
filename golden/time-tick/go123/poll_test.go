package poll

import (
	"context"
	"testing"
	"time"
)

func TestReport(t *testing.T) {
	done := make(chan struct{})
	calls := 0
	Report(done, time.Millisecond, func() {
		calls++
		if calls == 3 {
			close(done)
		}
	})
	if calls != 3 {
		t.Fatalf("emit called %d times, want 3", calls)
	}
}

func TestWait(t *testing.T) {
	polls := 0
	if err := Wait(context.Background(), time.Millisecond, func() bool { polls++; return polls == 4 }); err != nil || polls != 4 {
		t.Fatalf("Wait = %v after %d polls, want nil after 4", err, polls)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := Wait(ctx, time.Millisecond, func() bool { return false }); err != context.DeadlineExceeded {
		t.Fatalf("Wait = %v, want the context's error", err)
	}
}
