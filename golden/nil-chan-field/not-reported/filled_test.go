package filled

import "testing"

func TestInTests(t *testing.T) {
	i := &inTests{tick: make(chan int, 1)}
	i.tick <- 1
	if i.next() != 1 {
		t.Fatal("no tick")
	}
}
