package drained

import "context"

type system struct {
	st   *store
	seen []event
}

func (sys *system) load(ev event) error {
	sys.seen = append(sys.seen, ev)
	return nil
}

func (sys *system) run(ctx context.Context) {
	go func() {
		ch := sys.st.watch(ctx, "config")
		for ev := range ch {
			if err := sys.load(ev); err != nil {
				continue
			}
		}
	}()
}

// first cancels its own context as it returns (abandoned-generator's fix, already made), but feed
// does not watch it.
func (sys *system) first(ctx context.Context) event {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for ev := range sys.st.feed(ctx, "config") {
		if err := sys.load(ev); err == nil {
			return ev
		}
	}
	return event{}
}
