package triple

import (
	"context"
	"testing"
	"time"
)

// TestCallerDeadline: a call whose ctx already has a deadline (the usual way to call) gets no
// default timeout, so cancel is nil. Passes on the input; the patched CallUnary defers the nil
// cancel and panics as it returns (nil func call).
func TestCallerDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := CallUnary(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestNoConfiguredTimeout: no deadline and a zero configured timeout: cancel is nil again.
func TestNoConfiguredTimeout(t *testing.T) {
	if err := CallUnary(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
}

// TestDefaultTimeout: the path the finding worried about is already covered by `if flag`.
func TestDefaultTimeout(t *testing.T) {
	if err := CallUnary(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
}
