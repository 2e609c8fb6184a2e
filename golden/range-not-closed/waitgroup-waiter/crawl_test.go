package crawl

import (
	"io"
	"log"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// No-hang proof: every page is reported within a second.
func TestCrawlReportsEveryPage(t *testing.T) {
	log.SetOutput(io.Discard)
	var mu sync.Mutex
	var got []string
	Crawl([]string{"a", "b", "c"}, strings.ToUpper, func(r string) { mu.Lock(); got = append(got, r); mu.Unlock() })
	deadline := time.Now().Add(time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reported %d of 3 pages", n)
		}
		time.Sleep(time.Millisecond)
	}
	sort.Strings(got)
	if strings.Join(got, "") != "ABC" {
		t.Fatalf("reported %v", got)
	}
}
