package upload

import (
	"io"
	"testing"
	"time"
)

// No-hang proof: a value that encodes arrives whole, and an error reaches the reader.
func TestUploadDelivers(t *testing.T) {
	var got string
	done := make(chan error)
	go func() {
		done <- Upload(map[string]int{"a": 1}, func(r io.Reader) error { b, err := io.ReadAll(r); got = string(b); return err })
	}()
	select {
	case err := <-done:
		if err != nil || got != "{\"a\":1}\n" {
			t.Fatalf("Upload = %v, body %q", err, got)
		}
	case <-time.After(time.Second):
		t.Fatal("Upload hangs")
	}
}
