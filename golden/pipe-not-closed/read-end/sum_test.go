package readend

import (
	"io"
	"testing"
	"time"
)

// No-hang proofs: the whole stream is still read on the success path.
func TestSumAll(t *testing.T) {
	within(t, time.Second, func() {
		if got, err := Sum([]int{1, 2, 3, 4}); err != nil || got != 10 {
			t.Errorf("Sum = %d, %v; want 10, nil", got, err)
		}
	})
}

type keeping map[string]string

func (k keeping) Put(name string, r io.Reader) error {
	b, err := io.ReadAll(r)
	k[name] = string(b)
	return err
}

func TestCopyObjectAll(t *testing.T) {
	within(t, time.Second, func() {
		k := keeping{}
		if err := CopyObject(k, "x", []byte("hello, world")); err != nil || k["x"] != "hello, world" {
			t.Errorf("CopyObject = %v, stored %q", err, k["x"])
		}
	})
}
