package boxes

import (
	"context"
	"testing"
)

func TestBoxesDeliversEverything(t *testing.T) {
	var got []int
	for b := range Boxes(context.Background(), "s", 1, 2, 3) {
		if *b.Source != "s/"+name(*b.Value/2) {
			t.Fatalf("source %q for %d", *b.Source, *b.Value)
		}
		got = append(got, *b.Value)
	}
	if len(got) != 3 || got[0] != 2 || got[1] != 4 || got[2] != 6 {
		t.Fatalf("got %v, want [2 4 6]", got)
	}
}
