package meta

import (
	"context"
	"testing"
	"time"
)

// TestHeartbeatOutlivesSlowCleanups: stale-session cleanups that take longer than ten
// heartbeats (thousands of stale sessions after an outage, a slow metadata engine) must not
// stop the session's own heartbeat, or other clients will clean this live session as stale.
// Passes on the input; the patched loop blocks on the semaphore after ten cleanups and stops
// refreshing the session.
func TestHeartbeatOutlivesSlowCleanups(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	m := &baseMeta{
		heartbeat: time.Millisecond,
		cleanStale: func(ctx context.Context) {
			<-release // a cleanup still running
		},
	}
	go m.refresh(ctx)
	time.Sleep(300 * time.Millisecond)
	n := m.refreshed.Load()
	cancel()
	close(release)
	if n < 50 {
		t.Fatalf("the session was refreshed %d times in 300 heartbeats of 1 ms: the heartbeat stalled behind the cleanups", n)
	}
}
