//go:build !patched

package triple

import (
	"context"
	"time"
)

// CallUnary at dubbo-go 08a4387 (client.go:131-143), unpatched.
func CallUnary(ctx context.Context, timeout time.Duration) error {
	ctx, flag, cancel := applyDefaultTimeout(ctx, timeout)
	if flag {
		defer cancel()
	}
	return callUnary(ctx)
}
