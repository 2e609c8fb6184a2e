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

// A dial the test requires to fail: in a passing run there is no cancel func to discard.
func TestRequiredToFail(t *testing.T) {
	_, _, _, err := dial(context.Background(), "")
	if err == nil {
		t.Fatal("dial without an address succeeded")
	}
}

// A dial whose error is only logged: when it succeeds, the discarded cancel func leaks.
func TestOnlyLogged(t *testing.T) {
	_, _, _, err := dial(context.Background(), "a") // want "the cancel func of dial is discarded"
	t.Log(err)
}
