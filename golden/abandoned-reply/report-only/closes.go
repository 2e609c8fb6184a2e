package twice

import "time"

// watch answers once, on out or on errOut, and closes both as it returns (k6's
// runWaitForEventHandler).
func watch(next func() (int, error), out chan<- int, errOut chan<- error) {
	defer func() {
		close(out)
		close(errOut)
	}()
	for {
		v, err := next()
		if err != nil {
			errOut <- err
			return
		}
		if v > 0 {
			out <- v
			return
		}
	}
}

// WaitFor is reported without a fix: buffered, out's value and errOut's close could both be
// ready when the select looks, and it could take the close's nil error for the answer.
func WaitFor(next func() (int, error), d time.Duration) (int, error) {
	out := make(chan int)      // want "out is handed to watch"
	errOut := make(chan error) // want "errOut is handed to watch"
	go watch(next, out, errOut)
	select {
	case v := <-out:
		return v, nil
	case err := <-errOut:
		return 0, err
	case <-time.After(d):
		return 0, nil
	}
}

// once answers on out or on errOut, one send a run, and closes both as it returns.
func once(get func() (int, error), out chan<- int, errOut chan<- error) {
	defer close(out)
	defer close(errOut)
	v, err := get()
	if err != nil {
		errOut <- err
		return
	}
	out <- v
}

// Get is reported without a fix, as WaitFor is.
func Get(get func() (int, error), d time.Duration) (int, error) {
	out, errOut := make(chan int), make(chan error) // want "out is handed to once" "errOut is handed to once"
	go once(get, out, errOut)
	select {
	case v := <-out:
		return v, nil
	case err := <-errOut:
		return 0, err
	case <-time.After(d):
		return 0, nil
	}
}
