// Package errgroup is the part of golang.org/x/sync/errgroup this case uses (offline).
package errgroup

import "sync"

// A Group runs functions on goroutines and waits for them; SetLimit bounds how many run.
type Group struct {
	wg    sync.WaitGroup
	slots chan struct{}
	once  sync.Once
	err   error
}

func (g *Group) SetLimit(n int) { g.slots = make(chan struct{}, n) }

func (g *Group) Go(f func() error) {
	if g.slots != nil {
		g.slots <- struct{}{}
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if g.slots != nil {
			defer func() { <-g.slots }()
		}
		if err := f(); err != nil {
			g.once.Do(func() { g.err = err })
		}
	}()
}

func (g *Group) Wait() error {
	g.wg.Wait()
	return g.err
}
