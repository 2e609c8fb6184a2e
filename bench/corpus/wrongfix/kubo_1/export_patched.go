//go:build patched

package dagexport

import "io"

// closeOnReturn is gofixleaks a06f251's fix (pipe-not-closed): `defer pipeR.Close()`.
func closeOnReturn(r *io.PipeReader) { r.Close() }
