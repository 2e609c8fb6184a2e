// Package xctx adds a value to a context, as xray-core's common/ctx does.
package xctx

import "context"

type idKey struct{}

// ContextWithID returns ctx carrying id.
func ContextWithID(ctx context.Context, id int) context.Context {
	return context.WithValue(ctx, idKey{}, id)
}
