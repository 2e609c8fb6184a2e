package closer

import "time"

// Poller owns a ticker that Close stops: stored in a field, so not a local leak.
type Poller struct {
	t *time.Ticker
}

func NewPoller(d time.Duration) *Poller {
	t := time.NewTicker(d)
	p := &Poller{}
	p.t = t
	return p
}

func (p *Poller) Close() { p.t.Stop() }

// Wait stops the ticker on every path, explicitly.
func Wait(d time.Duration) {
	t := time.NewTicker(d)
	<-t.C
	t.Stop()
}

// Returned hands the ticker to the caller.
func Returned(d time.Duration) *time.Ticker {
	t := time.NewTicker(d)
	return t
}
