package actors

import (
	"sync"
	"time"
)

// Timer is what a clock gives: k8s.io/utils/clock's Timer, as dapr's actors use it.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

func newTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

// Reminder runs fire every period until stop is closed or ttl (when not zero) has passed.
func Reminder(period, ttl time.Duration, stop <-chan struct{}, fire func(), wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		var (
			ttlTimer, nextTimer Timer
			ttlTimerC           <-chan time.Time
		)

		if ttl != 0 {
			ttlTimer = newTimer(ttl)
			ttlTimerC = ttlTimer.C()
		}

		nextTimer = newTimer(period)
		defer func() {
			if nextTimer.Stop() {
				<-nextTimer.C() // want "receive from nextTimer's channel after nextTimer.Stop\\(\\) returned true blocks forever"
			}
			if ttlTimer != nil && ttlTimer.Stop() {
				<-ttlTimerC // want "receive from ttlTimer's channel after ttlTimer.Stop\\(\\) returned true blocks forever"
			}
		}()

	L:
		for {
			select {
			case <-nextTimer.C():
			case <-ttlTimerC:
				break L
			case <-stop:
				break L
			}
			fire()
			nextTimer = newTimer(period)
		}
	}()
}
