// Package meta reproduces juicefs pkg/meta/base.go (baseMeta.refresh): the loop that keeps
// the client's session alive also starts CleanStaleSessions on a goroutine whenever the
// cluster-wide counter lets this client clean up.
package meta

import (
	"context"
	"sync/atomic"
	"time"
)

type baseMeta struct {
	heartbeat  time.Duration
	refreshed  atomic.Int64 // doRefreshSession calls: the session's liveness
	cleanStale func(ctx context.Context)
}

func (m *baseMeta) doRefreshSession() { m.refreshed.Add(1) }

// setIfSmall stands for m.en.setIfSmall("lastCleanupSessions", ...): this client won.
func (m *baseMeta) setIfSmall() bool { return true }
