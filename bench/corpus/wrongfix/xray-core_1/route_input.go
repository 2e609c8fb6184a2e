//go:build !patched

package command

import (
	"context"
	"time"
)

// testRoute is the publish of TestRoute (command.go:100-103) as it is: the 4 s context bounds
// the delivery of the result, its cancel is dropped and the timer frees it.
func testRoute(c *Channel, route string) string {
	ctx, _ := context.WithTimeout(context.Background(), 4*time.Second) //nolint:govet // as in xray-core
	c.Publish(ctx, route)
	return route
}
