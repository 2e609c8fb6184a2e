package query

import (
	"testing"
	"time"
)

func TestQueryAnswers(t *testing.T) {
	a, err := Query(time.Second, func() string { return "hi" })
	if err != nil || *a.Text != "hi" || *a.Took < 0 {
		t.Fatalf("Query = %v, %v", a, err)
	}
	if *Budget != 2*time.Second {
		t.Fatalf("Budget = %v, want 2s", *Budget)
	}
	if got := *Label("x"); got != "x!" {
		t.Fatalf("Label = %q", got)
	}
}
