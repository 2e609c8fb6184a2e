// Package snapshot copies a snapshot into a writer it closes.
package snapshot

import "io"

// Copy writes in to dest and closes dest, whatever happens.
func Copy(in io.Reader, dest io.WriteCloser) (int64, error) {
	defer dest.Close()
	return io.Copy(dest, in)
}
