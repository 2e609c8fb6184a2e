// Package service runs one goroutine for the whole process that serves package-level
// channels (like the runtime's signal-mask loop): no caller's context should end it.
package service

import (
	"context"
	"sync"
)

var (
	enable  = make(chan uint32)
	disable = make(chan uint32)
	once    sync.Once
	mask    uint64
)

// Ensure starts the mask loop once, whoever calls first.
func Ensure(ctx context.Context) {
	once.Do(func() {
		go func() {
			for {
				select {
				case s := <-enable:
					mask |= 1 << s
				case s := <-disable:
					mask &^= 1 << s
				}
			}
		}()
	})
}

// ensureLocked is the same without a context in scope (what context plumbing would ask about).
func ensureLocked() {
	go func() {
		for {
			select {
			case s := <-enable:
				mask |= 1 << s
			}
		}
	}()
}
