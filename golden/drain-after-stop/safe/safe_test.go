package safe

import (
	"context"
	"testing"
	"time"
)

func TestNoHang(t *testing.T) {
	within(t, 5*time.Second, func() {
		Idiom(time.NewTimer(time.Hour))
		IdiomOK(time.NewTimer(time.Hour))
		Else(time.NewTimer(time.Hour))
		NonBlocking(time.NewTimer(time.Hour))
		b := time.NewTimer(time.Millisecond)
		Other(time.NewTimer(time.Hour), b)
		Rearmed(time.NewTimer(time.Hour), time.Millisecond)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		Cancellable(ctx, time.NewTimer(time.Hour))
	})
}
