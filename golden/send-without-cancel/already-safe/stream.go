package safe

import (
	"encoding/json"
	"io"
)

// Frames decodes frames until cancel closes (nomad's AllocFS.Stream): the goroutine sends
// on errCh, made with room for one, at most once, each send followed by the close of frames
// and a return, so the send never waits.
func Frames(r io.Reader, cancel <-chan struct{}) (<-chan string, <-chan error) {
	errCh := make(chan error, 1)
	frames := make(chan string, 10)
	go func() {
		dec := json.NewDecoder(r)
		for {
			select {
			case <-cancel:
				close(frames)
				return
			default:
			}
			var frame string
			if err := dec.Decode(&frame); err != nil {
				if err == io.EOF {
					close(frames)
				} else {
					errCh <- err
				}
				return
			}
			select {
			case frames <- frame:
			case <-cancel:
				return
			}
		}
	}()
	return frames, errCh
}
