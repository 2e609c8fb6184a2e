package tunnel

import (
	"io"
	"sync"
	"testing"
	"time"
)

type pipeChannel struct{}

type nopRW struct{}

func (nopRW) Read(p []byte) (int, error)  { return 0, io.EOF }
func (nopRW) Write(p []byte) (int, error) { return len(p), nil }
func (nopRW) Close() error                { return nil }

func (pipeChannel) Accept() (io.ReadWriteCloser, error) { return nopRW{}, nil }

// Twenty channels open at once are all served: each proxy waits until every one is open.
func TestManyOpenChannels(t *testing.T) {
	const n = 20
	var open sync.WaitGroup
	open.Add(n)
	all := make(chan struct{})
	go func() {
		open.Wait()
		close(all)
	}()
	chans := make(chan NewChannel)
	go Serve(chans, func(io.ReadWriteCloser) {
		open.Done()
		<-all
	})
	go func() {
		for i := 0; i < n; i++ {
			chans <- pipeChannel{}
		}
		close(chans)
	}()
	select {
	case <-all:
	case <-time.After(5 * time.Second):
		t.Fatal("not every open channel was served")
	}
}
