package odd

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// The break must still end the loop (and close out) after the body moves into a select
// case, where a plain break would only leave the select.
func TestOddStopsAfterN(t *testing.T) {
	out := make(chan int)
	Odd(context.Background(), 5, time.Millisecond, out)
	var got []int
	timeout := time.After(5 * time.Second)
	for {
		select {
		case v, ok := <-out:
			if !ok {
				if want := []int{1, 3, 5}; !reflect.DeepEqual(got, want) {
					t.Fatalf("got %v, want %v", got, want)
				}
				return
			}
			got = append(got, v)
		case <-timeout:
			t.Fatalf("out never closed; got %v", got)
		}
	}
}
