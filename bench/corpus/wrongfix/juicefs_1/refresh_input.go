//go:build !patched

package meta

import (
	"context"
	"time"
)

// refresh is base.go:892-957 at juicefs a6a0299, unpatched (setting reload and counters left out).
func (m *baseMeta) refresh(ctx context.Context) {
	for {
		if ctx.Err() != nil {
			return
		}
		time.Sleep(m.heartbeat)
		m.doRefreshSession()
		if m.setIfSmall() {
			go m.cleanStale(ctx)
		}
	}
}
