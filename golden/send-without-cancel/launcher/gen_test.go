package launcher

import (
	"context"
	"testing"
)

// No-hang proof: a consumer that reads everything gets every value.
func TestGenDelivers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := Gen(ctx, 1, 2, 3)
	for want := 1; want <= 3; want++ {
		if got := <-ch; got != want {
			t.Fatalf("got %d, want %d", got, want)
		}
	}
}
