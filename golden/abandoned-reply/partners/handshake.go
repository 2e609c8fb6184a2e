package partners

import "time"

type Deliverer interface {
	Deliver(sink chan *Response) error
}

type localDeliverer struct{}

// Deliver sends the response and waits until the receiver has handled it.
func (localDeliverer) Deliver(sink chan *Response) error {
	res := &Response{Done: make(chan error)}
	sink <- res
	return <-res.Done
}

// Delivered is reported without a fix: after its send Deliver waits on res.Done, so a
// buffer would only move where it blocks forever.
func Delivered(d Deliverer, wait time.Duration) error {
	resCh := make(chan *Response) // want "resCh is handed to Deliver, which sends the answer on it"
	go d.Deliver(resCh)
	select {
	case res := <-resCh:
		res.Done <- nil
		return nil
	case <-time.After(wait):
		return nil
	}
}
