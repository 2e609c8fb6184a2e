package failover

import "errors"

// Failover keeps the first client that answers.
type Failover struct {
	current *Client
	meters  []*Meter
	w       *watcher
	t       *ticker
}

// Connect keeps the first client whose ping succeeds; the others are dropped.
func (f *Failover) Connect(addrs []string) error {
	for _, addr := range addrs {
		c := newClient() // want "c from newClient is kept on one path \\(line 20\\) but dropped without c.Close\\(\\) at line 18: its limiter.loop goroutine runs until Client.Close ends it"
		if err := c.Ping(addr); err != nil {
			continue
		}
		f.current = c
		return nil
	}
	return errors.New("all unreachable")
}

// Measure keeps a named meter; a meter without a name is dropped.
func (f *Failover) Measure(name string) error {
	m := NewMeter().Named(name) // want "m from NewMeter is kept on one path \\(line 32\\) but dropped without m.Close\\(\\) at line 30"
	if name == "" {
		return errors.New("no name")
	}
	f.meters = append(f.meters, m)
	return nil
}

// Watch keeps the watcher unless told not to.
func (f *Failover) Watch(keep bool) error {
	w := newWatcher() // want "w from newWatcher is kept on one path \\(line 42\\) but dropped without w.Shutdown\\(...\\) at line 40"
	if !keep {
		return errors.New("not kept")
	}
	f.w = w
	return nil
}

// Tick keeps the ticker unless told not to.
func (f *Failover) Tick(keep bool) error {
	t := newTicker()
	if !keep {
		return errors.New("not kept")
	}
	f.t = t
	return nil
}
