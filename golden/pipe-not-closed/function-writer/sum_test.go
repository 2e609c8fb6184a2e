package sum

import (
	"testing"
	"time"
)

// No-hang proof: the checksum of fetched parts is computed, within a second.
func TestChecksum(t *testing.T) {
	done := make(chan string)
	go func() {
		s, _ := Checksum([]string{"a", "b"}, func(p string) ([]byte, error) { return []byte(p), nil })
		done <- s
	}()
	select {
	case s := <-done:
		if s != "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603" {
			t.Fatalf("Checksum = %s", s)
		}
	case <-time.After(time.Second):
		t.Fatal("Checksum hangs")
	}
}
