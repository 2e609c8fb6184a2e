package cluster

import (
	"testing"
	"time"
)

// The sync loop keeps running after Open and Update returned.
func TestSyncRunsAfterOpen(t *testing.T) {
	c := &Cluster{interval: 5 * time.Millisecond}
	c.Open()
	c.Update()
	time.Sleep(30 * time.Millisecond)
	before := c.Synced.Load()
	time.Sleep(50 * time.Millisecond)
	if after := c.Synced.Load(); after <= before {
		t.Fatalf("the sync loop stopped: %d syncs, then %d", before, after)
	}
}
