package heartbeat

import (
	"context"
	"testing"
	"time"
)

func TestBeatPingsEveryTick(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pings := make(chan time.Time, 3)
	Beat(ctx, time.Millisecond, func(now time.Time) {
		select {
		case pings <- now:
		default:
		}
	})
	for i := 0; i < 3; i++ {
		if (<-pings).IsZero() {
			t.Fatal("ping without a tick time")
		}
	}
}
