package stream

import "io"

// Stdin feeds d to a command; a TTY session keeps its stdin open for the whole command
// (nomad's exec test): closing it at the end of the writer would end the session early.
func Stdin(tty bool, d string) io.Reader {
	pr, pw := io.Pipe() // want "pw is not closed on every path of the goroutine writing it"
	go func() {
		pw.Write([]byte(d))
		if !tty {
			pw.Close()
		}
	}()
	return pr
}
