package server

import "context"

// Get asks the server for key's value, unless ctx ends first.
func (s *Server) Get(ctx context.Context, key string) (int, error) {
	reply := make(chan int) // want "reply is handed to whoever serves its .reply, which sends the answer on it, but this select can stop waiting \\(cancellation\\): the sender then blocks forever"
	select {
	case s.requests <- request{key: key, reply: reply}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case v := <-reply:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
