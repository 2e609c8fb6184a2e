// Package context stands in for golang.org/x/net/context, which aliases the standard one.
package context

import (
	"context"
	"time"
)

type (
	Context    = context.Context
	CancelFunc = context.CancelFunc
)

func Background() Context { return context.Background() }

func WithTimeout(parent Context, d time.Duration) (Context, CancelFunc) {
	return context.WithTimeout(parent, d)
}
