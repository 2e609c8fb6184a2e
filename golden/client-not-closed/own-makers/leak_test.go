package failover

import (
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	var f Failover
	for i := 0; i < 10; i++ {
		if err := f.Connect([]string{"down", "down"}); err == nil {
			t.Fatal("Connect succeeded with every sentinel down")
		}
		if err := f.Measure(""); err == nil {
			t.Fatal("Measure succeeded without a name")
		}
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
