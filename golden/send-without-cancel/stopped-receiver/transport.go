package transport

// Yield hands a connection back for reuse; after Stop nobody takes it.
func (t *Transport) Yield(c int) {
	t.yield <- c // want "send on t.yield blocks forever once its receiver is gone: manage stops receiving from it once t.stop fires"
}

// Dial's caller must learn that no connection came: reported, not fixed.
func (t *Transport) Dial(proto string) (int, error) {
	t.dial <- proto // want "send on t.dial blocks forever once its receiver is gone"
	return <-t.ret, nil
}
