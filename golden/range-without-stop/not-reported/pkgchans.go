package conn

// Package-level channels a range over which may end, or that code out of view may close.

// closedByName: Shutdown closes it, so the ranges end.
var closedByName = make(chan int)

// handed: Sink hands it to whoever calls, who may close it.
var handed = make(chan int)

// Exported: another package may close it.
var Exported = make(chan int)

// reassigned: Reset puts a new channel in it; the old one may be closed by whoever kept it.
var reassigned = make(chan int)

type worker struct {
	stop chan struct{}
}

func newWorker() *worker {
	w := &worker{stop: make(chan struct{})}
	go w.closedLoop()
	go w.handedLoop()
	go w.exportedLoop()
	go w.reassignedLoop()
	return w
}

func (w *worker) closedLoop() {
	for v := range closedByName {
		_ = v
	}
}

func (w *worker) handedLoop() {
	for v := range handed {
		_ = v
	}
}

func (w *worker) exportedLoop() {
	for v := range Exported {
		_ = v
	}
}

func (w *worker) reassignedLoop() {
	for v := range reassigned {
		_ = v
	}
}

func (w *worker) Close() { close(w.stop) }

func Shutdown() { close(closedByName) }

func Sink() chan<- int { return handed }

func Reset() { reassigned = make(chan int) }
