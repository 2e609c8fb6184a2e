//go:build patched

package meta

import (
	"context"
	"time"
)

// refresh as gofixleaks a06f251 patches it (unbounded-goroutines): a 10-slot semaphore.
func (m *baseMeta) refresh(ctx context.Context) {
	sem := make(chan struct{}, 10)
	for {
		if ctx.Err() != nil {
			return
		}
		time.Sleep(m.heartbeat)
		m.doRefreshSession()
		if m.setIfSmall() {
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				m.cleanStale(ctx)
			}()
		}
	}
}
