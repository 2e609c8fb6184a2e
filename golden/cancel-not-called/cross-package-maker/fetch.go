package crossmaker

import (
	"context"

	"example.com/crossmaker/ctxutil"
)

// Fetch derives its context through a helper of another package of the module and drops
// the cancel func.
func Fetch(parent context.Context, get func(context.Context) error) error {
	ctx, _ := ctxutil.WithRequestTimeout(parent) // want "the cancel func of ctxutil.WithRequestTimeout is discarded"
	return get(ctx)
}

// Store calls it only on success.
func Store(parent context.Context, put func(context.Context) error) error {
	ctx, cancel := ctxutil.WithRequestTimeout(parent) // want "cancel from ctxutil.WithRequestTimeout is not called on every path"
	if err := put(ctx); err != nil {
		return err
	}
	cancel()
	return nil
}

// Delete uses the helper as intended.
func Delete(parent context.Context, del func(context.Context) error) error {
	ctx, cancel := ctxutil.WithRequestTimeout(parent)
	defer cancel()
	return del(ctx)
}
