package pipeline

import (
	"context"
	"reflect"
	"testing"
)

func TestGenDeliversEverything(t *testing.T) {
	var got []int
	for v := range Gen(context.Background(), 1, 2, 3) {
		got = append(got, v)
	}
	if want := []int{2, 4, 6}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
