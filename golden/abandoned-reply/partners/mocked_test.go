package partners

import "testing"

type mockPeer struct{}

func (mockPeer) RequestHeaders(sink chan *Response) (func(), error) {
	go func() { sink <- &Response{Headers: []string{"h"}, Done: make(chan error, 1)} }()
	return func() {}, nil
}

func TestExecute(t *testing.T) {
	if got := Execute(mockPeer{}, nil); len(got) != 1 {
		t.Fatalf("Execute = %v", got)
	}
}
