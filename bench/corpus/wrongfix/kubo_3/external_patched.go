//go:build patched

package external

import "io"

// gofixleaks a06f251's fix (early-return-send): errC gets a buffer of 1; the reader is left open.
const errCBuffer = 1

func onEmitError(*io.PipeReader, error) {}
