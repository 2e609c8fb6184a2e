//go:build rightfix

package external

import "io"

// The whole repair: the buffer, and the reader closed when nobody will read it, so the
// child's writes fail and cmd.Wait returns.
const errCBuffer = 1

func onEmitError(r *io.PipeReader, err error) { r.CloseWithError(err) }
