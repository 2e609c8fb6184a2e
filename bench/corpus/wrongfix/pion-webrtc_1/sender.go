// Package sender reproduces examples/insertable-streams/main.go's frame sender (pion/webrtc
// 3234944): a goroutine waits for ICE to connect (iceConnectedCtx is cancelled by the
// OnICEConnectionStateChange handler when the state becomes Connected), then writes one IVF
// frame per tick until the file ends, where the example calls os.Exit(0).
package sender

import (
	"context"
	"time"
)

// source stands for the IVF reader: next returns false at the end of the file.
type source struct {
	frames [][]byte
	i      int
}

func (s *source) next() ([]byte, bool) {
	if s.i == len(s.frames) {
		return nil, false
	}
	s.i++
	return s.frames[s.i-1], true
}

// start launches the sender as main.go:71-119 does; write stands for videoTrack.WriteSample
// and exit for os.Exit(0) at io.EOF.
func start(iceConnectedCtx context.Context, src *source, tick time.Duration, write func([]byte), exit func()) {
	go func() {
		// Wait for connection established (main.go:87)
		<-iceConnectedCtx.Done()

		ticker := time.NewTicker(tick)
		defer ticker.Stop()
		sendFrames(ticker, iceConnectedCtx, src, write, exit)
	}()
}
