package notfixed

// push sends err on errc.
func push(err error, errc chan<- error) {
	errc <- err
}
