// Package ctxutil holds the module's context helpers.
package ctxutil

import (
	"context"
	"time"
)

// WithRequestTimeout derives the context of one request.
func WithRequestTimeout(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, time.Minute)
}
