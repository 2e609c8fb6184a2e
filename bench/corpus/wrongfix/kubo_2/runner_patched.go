//go:build patched

package harness

import "io"

// closeOnReturn is gofixleaks a06f251's fix (pipe-not-closed): `defer ow.Close()`, `defer errw.Close()`.
func closeOnReturn(w *io.PipeWriter) { w.Close() }
