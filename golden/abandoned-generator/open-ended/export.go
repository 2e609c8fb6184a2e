package openended

import "io"

type Iterator interface {
	Next() bool
	Key() []byte
	Release()
}

// Export is reported without a fix: its producer walks an iterator to its end, so a
// drain would run the whole walk with nobody reading (go-ethereum's preimage export).
func Export(open func() Iterator, w io.Writer) error {
	ch := make(chan []byte)
	go func() {
		defer close(ch)
		it := open()
		defer it.Release()
		for it.Next() {
			ch <- it.Key()
		}
	}()
	for k := range ch { // want "leaving this range over ch early abandons the goroutine producing it"
		if _, err := w.Write(k); err != nil {
			return err
		}
	}
	return nil
}

// walk sends every key of it.
func walk(it Iterator, out chan<- []byte) {
	defer close(out)
	for it.Next() {
		out <- it.Key()
	}
}

// ExportWalked is reported without a fix: the same walk, in a function it hands ch to.
func ExportWalked(it Iterator, w io.Writer) error {
	ch := make(chan []byte)
	go walk(it, ch)
	for k := range ch { // want "leaving this range over ch early abandons the goroutine producing it"
		if _, err := w.Write(k); err != nil {
			return err
		}
	}
	return nil
}

// scan is a generator that reads it to its end.
func scan(it Iterator) <-chan []byte {
	out := make(chan []byte)
	go func() {
		defer close(out)
		for it.Next() {
			out <- it.Key()
		}
	}()
	return out
}

// ExportScanned is reported without a fix: the generator walks the iterator to its end.
func ExportScanned(it Iterator, w io.Writer) error {
	ch := scan(it)
	for k := range ch { // want "leaving this range over scan\\(...\\) early abandons the generator's goroutine"
		if _, err := w.Write(k); err != nil {
			return err
		}
	}
	return nil
}
