package negative

import (
	"context"
	"time"

	"example.com/negative/xctx"
)

// PreConnect's dialers make their own context from Background (xray-core's pre-connect
// pool): the ctx they see is not PreConnect's, and nothing can cancel it, so there is no
// stop signal to watch.
func PreConnect(ctx context.Context, conns chan<- int, dial func(context.Context) (int, error)) {
	_ = ctx
	go func() {
		ctx := xctx.ContextWithID(context.Background(), 1)
		for {
			c, err := dial(ctx)
			if err != nil {
				continue
			}
			conns <- c
			time.Sleep(200 * time.Millisecond)
		}
	}()
}
