package producer

import "testing"

func TestForwardsInsideTransaction(t *testing.T) {
	p := New()
	p.Begin()
	p.input <- "m"
	if got := <-p.out; got != "m" {
		t.Fatalf("out = %q, want m", got)
	}
	p.Close()
	<-p.done
}

func TestReportsOutsideTransaction(t *testing.T) {
	p := New()
	p.input <- "m"
	if err := <-p.errors; err != errNoTxn {
		t.Fatalf("error = %v, want errNoTxn", err)
	}
	p.Close()
	<-p.done
	if len(p.out) != 0 {
		t.Fatalf("%d messages forwarded outside a transaction", len(p.out))
	}
}
