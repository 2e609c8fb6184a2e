package work

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// The reader ends quietly when the stream ends or is closed, and sends only other errors,
// each of which fails the test (nomad's streaming-RPC tests): after a passing run the
// deferred Close ends the reader without a send. No finding.
func TestStreamQuiet(t *testing.T) {
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	errCh := make(chan error)
	lines := make(chan string)
	go func() {
		r := bufio.NewReader(p1)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				if err == io.EOF || strings.Contains(err.Error(), "closed") {
					return
				}
				errCh <- fmt.Errorf("reading: %v", err)
			}
			lines <- line
		}
	}()
	go fmt.Fprintf(p2, "hello\nworld\n")
	got := ""
OUTER:
	for {
		select {
		case <-time.After(5 * time.Second):
			t.Fatal("timeout")
		case err := <-errCh:
			t.Fatal(err)
		case line := <-lines:
			got += line
			if strings.Contains(got, "world") {
				break OUTER
			}
		}
	}
}

// This reader sends every error, the end of the stream included: once the test has
// passed and the deferred Close ends the stream, its send blocks for good.
func TestStreamEverything(t *testing.T) {
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	errCh := make(chan error) // want "block forever once its receiver breaks out of its receive loop"
	lines := make(chan string)
	go func() {
		r := bufio.NewReader(p1)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				errCh <- err
				return
			}
			lines <- line
		}
	}()
	go fmt.Fprintf(p2, "hello\nworld\n")
	got := ""
OUTER:
	for {
		select {
		case <-time.After(5 * time.Second):
			t.Fatal("timeout")
		case err := <-errCh:
			t.Fatal(err)
		case line := <-lines:
			got += line
			if strings.Contains(got, "world") {
				break OUTER
			}
		}
	}
}
