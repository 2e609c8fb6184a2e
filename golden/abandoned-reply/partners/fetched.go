package partners

import "time"

type Fetcher interface {
	Fetch(sink chan *Response)
}

type localFetcher struct{ headers []string }

// Fetch sends one answer and is done.
func (f localFetcher) Fetch(sink chan *Response) {
	go func() { sink <- &Response{Headers: f.headers} }()
}

// Fetched is reported and fixed: Fetch, declared in a file of the program, sends once.
func Fetched(f Fetcher, d time.Duration) []string {
	resCh := make(chan *Response) // want "resCh is handed to Fetch, which sends the answer on it, but this select can stop waiting \\(a timeout\\)"
	f.Fetch(resCh)
	select {
	case res := <-resCh:
		return res.Headers
	case <-time.After(d):
		return nil
	}
}
