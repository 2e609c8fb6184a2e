//go:build patched

package triple

import (
	"context"
	"time"
)

// CallUnary as gofixleaks a06f251 patches it (cancel-not-called): an unconditional defer cancel().
func CallUnary(ctx context.Context, timeout time.Duration) error {
	ctx, flag, cancel := applyDefaultTimeout(ctx, timeout)
	defer cancel()
	if flag {
		defer cancel()
	}
	return callUnary(ctx)
}
