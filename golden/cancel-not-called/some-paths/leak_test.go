package lookup

import (
	"context"
	"runtime"
	"testing"
)

type mapStore map[string]string

func (m mapStore) Get(ctx context.Context, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return m[key], nil
}

func TestLeak(t *testing.T) {
	parent := parentCtx{context.Background(), make(chan struct{})}
	store := mapStore{"k": "v"}
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if v, err := Lookup(parent, store, "k"); v != "v" || err != nil {
			t.Fatalf("Lookup = %q, %v", v, err)
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
