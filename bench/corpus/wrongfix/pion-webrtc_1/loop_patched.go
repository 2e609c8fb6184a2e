//go:build patched

package sender

import (
	"context"
	"time"
)

// sendFrames as gofixleaks 195cbd5 rewrites it (loop-without-exit, main.go:96): the range over
// ticker.C becomes a select that also returns on iceConnectedCtx.Done(), which is already
// closed when the loop starts.
func sendFrames(ticker *time.Ticker, iceConnectedCtx context.Context, src *source, write func([]byte), exit func()) {
	for {
		select {
		case <-ticker.C:
			frame, ok := src.next()
			if !ok {
				exit()
				return
			}
			write(frame)
		case <-iceConnectedCtx.Done():
			return
		}
	}
}
