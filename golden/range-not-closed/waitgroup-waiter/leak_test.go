package crawl

import (
	"io"
	"log"
	"runtime"
	"testing"
)

func TestLeak(t *testing.T) {
	log.SetOutput(io.Discard)
	base := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		Crawl([]string{"a", "b"}, func(p string) string { return p }, func(string) {})
	}
	if n := settle(base); n > base {
		t.Fatalf("goroutine leak: %d goroutines, started with %d", n, base)
	}
}
