// Package crlf is written with CRLF line endings and non-ASCII comments (心跳 = heartbeat):
// the rewritten loop keeps both.
package crlf

import (
	"context"
	"time"
)

// Beat 每个滴答调用一次 f.
func Beat(ctx context.Context, t *time.Ticker, f func()) {
	go func() {
		for range t.C { // want "ranging over t.C never ends"
			f() // 停止
		}
	}()
}
