package conn

import (
	"context"
	"testing"
)

// A failed dial returns its error, without calling (or deferring) a nil cancel func.
func TestFailedDial(t *testing.T) {
	if err := Ping(context.Background(), ""); err != errNoAddr {
		t.Fatalf("Ping = %v, want %v", err, errNoAddr)
	}
	if err := Status(context.Background(), "", true); err != errNoAddr {
		t.Fatalf("Status = %v, want %v", err, errNoAddr)
	}
	if err := Status(context.Background(), "a", true); err != nil {
		t.Fatalf("Status = %v", err)
	}
}
