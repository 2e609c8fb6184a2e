// Package launcher starts its goroutines through a helper of its own that recovers panics:
// the literal handed to it runs on a goroutine as surely as one started with go.
package launcher

import (
	"context"
	"log"
)

// safeGo runs f on a goroutine, logging a panic instead of crashing.
func safeGo(f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Print(r)
			}
		}()
		f()
	}()
}

// Gen sends vals on the channel it returns until ctx ends.
func Gen(ctx context.Context, vals ...int) <-chan int {
	out := make(chan int)
	safeGo(func() {
		for _, v := range vals {
			out <- v // want "send on out blocks forever once its receiver is gone"
		}
	})
	return out
}
