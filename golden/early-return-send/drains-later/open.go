// Package drains waits for a slow open with a timeout that only logs: the receive after
// the select always takes the value, so the sender never blocks for good.
package drains

import (
	"log"
	"time"
)

// Open returns what open makes, logging once it takes longer than patience.
func Open(open func() string, patience time.Duration) string {
	opened := make(chan string)
	go func() {
		opened <- open()
	}()
	select {
	case s := <-opened:
		return s
	case <-time.After(patience):
		log.Println("still opening")
	}
	return <-opened
}
