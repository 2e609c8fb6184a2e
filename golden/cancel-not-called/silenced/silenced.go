package silenced

import "context"

// Silenced quiets the compiler about cancel instead of calling it.
func Silenced(parent context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithCancel(parent) // want "cancel from context.WithCancel is never called"
	_ = cancel
	return f(ctx)
}
