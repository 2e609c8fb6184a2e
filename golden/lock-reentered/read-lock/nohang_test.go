package cache

import (
	"sync"
	"testing"
	"time"
)

// Readers side by side: Get and Pair come back and read what was stored.
func TestReaders(t *testing.T) {
	c := &Cache{m: map[string]string{"a": "1", "b": "2"}}
	within(t, 5*time.Second, func() {
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 200; j++ {
					if x, y := c.Pair("a", "b"); x != "1" || y != "2" {
						t.Errorf("Pair = %q, %q", x, y)
						return
					}
					if v, ok := c.Get("a"); !ok || v != "1" {
						t.Errorf("Get = %q, %v", v, ok)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
}
