package negative

import "io"

// closingReader closes its channel when it is closed.
type closingReader struct {
	r    io.Reader
	sent chan int
}

func (p *closingReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.sent <- n
	return n, err
}

func (p *closingReader) Close() error {
	close(p.sent)
	return nil
}

// CountClosed: the field it is put in is closed by the package, which ends the range.
func CountClosed(r io.Reader) int {
	sent := make(chan int)
	done := make(chan int)
	go func() {
		total := 0
		for n := range sent {
			total += n
		}
		done <- total
	}()
	cr := &closingReader{r: r, sent: sent}
	_, _ = io.Copy(io.Discard, cr)
	_ = cr.Close()
	return <-done
}
