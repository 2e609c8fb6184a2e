package open

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	within(t, 5*time.Second, func() {
		var seen context.Context
		dial := func(ctx context.Context) (string, error) {
			seen = ctx
			return "s1", ctx.Err()
		}
		if s, err := Open(context.Background(), dial); err != nil || s.id != "s1" {
			t.Errorf("Open = %v, %v", s, err)
		}
		if seen.Err() == nil {
			t.Log("the context outlives Open (the leak)")
		}
		fail := func(context.Context) (string, error) { return "", errors.New("refused") }
		if _, err := Open(context.Background(), fail); err == nil {
			t.Errorf("Open succeeded on a refused dial")
		}
	})
}
