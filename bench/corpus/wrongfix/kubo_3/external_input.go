//go:build !patched && !rightfix

package external

import "io"

// The input: errC unbuffered, the reader left open when Emit fails.
const errCBuffer = 0

func onEmitError(*io.PipeReader, error) {}
