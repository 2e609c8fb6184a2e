package meta

import (
	"context"
	"time"
)

// refresh is base.go:892-957 at juicefs a6a0299 (setting reload and counters left out);
// newLauncher is what the fix changes (refresh_input.go, refresh_patched.go).
func (m *baseMeta) refresh(ctx context.Context) {
	launch := newLauncher()
	for {
		if ctx.Err() != nil {
			return
		}
		time.Sleep(m.heartbeat)
		m.doRefreshSession()
		if m.setIfSmall() {
			launch(func() { m.cleanStale(ctx) })
		}
	}
}
