package openended

import "io"

// Write is fixed: its producer sends the elements of a slice, so a drain only lets it
// finish a bounded walk.
func Write(keys [][]byte, w io.Writer) error {
	ch := make(chan []byte)
	go func() {
		defer close(ch)
		for _, k := range keys {
			ch <- k
		}
	}()
	for k := range ch { // want "leaving this range over ch early abandons the goroutine producing it"
		if _, err := w.Write(k); err != nil {
			return err
		}
	}
	return nil
}

// each is a generator over a slice.
func each(keys [][]byte) <-chan []byte {
	out := make(chan []byte)
	go func() {
		defer close(out)
		for i := 0; i < len(keys); i++ {
			out <- keys[i]
		}
	}()
	return out
}

// WriteEach is fixed: the generator counts through a slice.
func WriteEach(keys [][]byte, w io.Writer) error {
	ch := each(keys)
	for k := range ch { // want "leaving this range over each\\(...\\) early abandons the generator's goroutine"
		if _, err := w.Write(k); err != nil {
			return err
		}
	}
	return nil
}
