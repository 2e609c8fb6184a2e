package crlf

import "time"

// Drain 每个周期处理一批，直到 stop 关闭。
func Drain(stop <-chan struct{}, d time.Duration, batch func()) {
	// 心跳
	beat := time.Tick(d) // want "beat := time.Tick\\(d\\) starts a ticker"
	for {
		select {
		case <-stop:
			return
		case <-beat:
			batch()
		}
	}
}
