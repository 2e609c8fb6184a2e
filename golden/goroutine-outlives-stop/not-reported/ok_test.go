package notreported

import "testing"

func TestStops(t *testing.T) {
	NewWatcher().Close()
	NewExported().Stop()
	d := NewDeferred()
	for _, h := range d.hooks {
		h()
	}
}
