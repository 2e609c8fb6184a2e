package legacy

import (
	"time"

	"golang.org/x/net/context"
)

// Fetch still imports the old context package; its cancel func is lost all the same.
func Fetch(parent context.Context, get func(context.Context) (string, error)) (string, error) {
	ctx, _ := context.WithTimeout(parent, time.Minute) // want "the cancel func of context.WithTimeout is discarded"
	return get(ctx)
}
