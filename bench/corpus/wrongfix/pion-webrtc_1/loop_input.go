//go:build !patched

package sender

import (
	"context"
	"time"
)

// sendFrames is the loop of main.go:96-118 as it is.
func sendFrames(ticker *time.Ticker, iceConnectedCtx context.Context, src *source, write func([]byte), exit func()) {
	for range ticker.C {
		frame, ok := src.next()
		if !ok {
			exit()
			return
		}
		write(frame)
	}
}
