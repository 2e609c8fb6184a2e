// Package dispatch answers the messages of a stream, one goroutine per message.
package dispatch

import (
	"errors"
	"io"
	"net"
)

// Message is one request read from a stream.
type Message struct{ ID int }

// Stream is a bidirectional message stream (a gRPC stream's shape).
type Stream interface {
	Recv() (*Message, error)
	Send(*Message) error
}

// Queue hands out work items.
type Queue interface {
	Pop() (*Message, error)
}

var errClosed = errors.New("closed")

// Serve answers every message of the stream on a goroutine of its own, so that the reader
// keeps reading while a handler waits (perhaps for a later message): the peer paces them,
// and a semaphore would stop the reader behind ten waiting handlers. Not reported.
func Serve(stream Stream, handle func(*Message) *Message) error {
	for {
		msg, err := stream.Recv()
		if err != nil {
			return err
		}
		go func() {
			_ = stream.Send(handle(msg))
		}()
	}
}

type server struct {
	conn Stream
}

// loop reads through a field: the same shape.
func (s *server) loop(handle func(*Message)) {
	for {
		msg, err := s.conn.Recv()
		if err != nil {
			return
		}
		go handle(msg)
	}
}

// Drain pops work from a queue, not a stream: nothing paces the launches but the queue.
func Drain(q Queue, work func(*Message)) error {
	for {
		m, err := q.Pop()
		if err != nil {
			return errClosed
		}
		go work(m) // want "goroutine started in an endless loop with nothing bounding it"
	}
}

// Packets answers each datagram of a packet conn on a goroutine of its own (a DNS server):
// like a stream's messages, the peers pace them. Not reported.
func Packets(pc net.PacketConn, answer func(net.PacketConn, []byte, net.Addr)) error {
	for {
		buf := make([]byte, 1500)
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return err
		}
		go answer(pc, buf[:n], addr)
	}
}

// Refill's ReadFrom is an io.ReaderFrom's (two results): nothing paces the launches.
func Refill(dst io.ReaderFrom, src io.Reader, use func(int64)) error {
	for {
		n, err := dst.ReadFrom(src)
		if err != nil {
			return err
		}
		go use(n) // want "goroutine started in an endless loop with nothing bounding it"
	}
}

// MessageReader reads one framed message at a time (a DNS-over-TCP reader's shape).
type MessageReader interface {
	ReadMessage() ([]byte, error)
}

// Answer replies to every query the reader frames, each on a goroutine of its own: the
// peer paces them, whatever the reader is called. Not reported.
func Answer(reader MessageReader, reply func([]byte)) error {
	for {
		b, err := reader.ReadMessage()
		if err != nil {
			return err
		}
		go reply(b)
	}
}
