package digest

import (
	"crypto/sha256"
	"testing"
	"time"
)

// No-hang proof: 100 blobs (more than the slots) are all digested, in order, within a second.
func TestAllDigestsEveryBlob(t *testing.T) {
	blobs := make([][]byte, 100)
	for i := range blobs {
		blobs[i] = []byte{byte(i)}
	}
	done := make(chan [][32]byte)
	go func() { done <- All(blobs) }()
	select {
	case got := <-done:
		for i, d := range got {
			if d != sha256.Sum256(blobs[i]) {
				t.Fatalf("digest %d is wrong", i)
			}
		}
	case <-time.After(time.Second):
		t.Fatal("All hangs")
	}
}
