package failover

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestKeptValuesStillWorkAndClose(t *testing.T) {
	base := runtime.NumGoroutine()
	var f Failover
	within(t, 5*time.Second, func() {
		if err := f.Connect([]string{"up"}); err != nil {
			t.Errorf("Connect: %v", err)
			return
		}
		if err := f.current.Ping("up"); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if err := f.Measure("rx"); err != nil {
			t.Errorf("Measure: %v", err)
			return
		}
		if f.meters[0].name != "rx" {
			t.Errorf("meter named %q", f.meters[0].name)
		}
		if err := f.Watch(true); err != nil {
			t.Errorf("Watch: %v", err)
			return
		}
		f.current.Close()
		f.meters[0].Close()
		if err := f.w.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	if n := settle(base); n > base {
		t.Errorf("kept values did not stop: %d goroutines, started with %d", n, base)
	}
}
