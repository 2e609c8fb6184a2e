package partners

import "time"

type Response struct {
	Headers []string
	Done    chan error
}

// Peer's implementation is elsewhere (another package); this package's only
// RequestHeaders is the tests' mock, which is not what the program runs.
type Peer interface {
	RequestHeaders(sink chan *Response) (func(), error)
}

// Execute is not reported: only a _test.go file of the package sends on the sink
// (go-ethereum's skeleton sync, whose real sender selects on the request's cancel
// and then waits for res.Done).
func Execute(p Peer, cancel <-chan struct{}) []string {
	resCh := make(chan *Response)
	closeReq, err := p.RequestHeaders(resCh)
	if err != nil {
		return nil
	}
	defer closeReq()
	select {
	case <-cancel:
		return nil
	case <-time.After(time.Second):
		return nil
	case res := <-resCh:
		res.Done <- nil
		return res.Headers
	}
}
