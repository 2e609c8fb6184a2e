package shorttimeout

import "time"

const shortTimeout = 10 * time.Millisecond // declared in another file than its uses

var (
	probeTimeout = shortTimeout / 2 // a variable nothing writes: a constant
	retryTimeout = time.Millisecond // written by SetRetryTimeout: not a constant
)

// SetRetryTimeout lets callers wait longer.
func SetRetryTimeout(d time.Duration) { retryTimeout = d }
