package group

import (
	"errors"
	"testing"
)

func TestAllSucceed(t *testing.T) {
	ran := make([]bool, 5)
	if err := Each(5, func(i int) error { ran[i] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for i, ok := range ran {
		if !ok {
			t.Fatalf("f(%d) did not run", i)
		}
	}
	if err := Both(func() error { return nil }, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestNoneToRun(t *testing.T) {
	if err := Each(-1, func(int) error { return errors.New("ran") }); err != nil {
		t.Fatal(err)
	}
}
