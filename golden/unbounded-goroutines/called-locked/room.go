// Package room launches one job per dispatch, as livekit's Room does: a caller holds the
// room's read lock around the launch ("it starts goroutines, so it is safe to call
// locked") and each job takes the write lock when it finishes. A semaphore at the launch
// would deadlock: the jobs holding slots wait for the lock, the launcher holding the lock
// waits for a slot.
package room

import "sync"

// Room holds its jobs' results.
type Room struct {
	lock sync.RWMutex
	done map[string]bool
}

func (r *Room) launch(dispatches []string) {
	for _, d := range dispatches {
		go func() { // want "goroutine started for every element of dispatches, and launch does not wait for them"
			r.lock.Lock()
			r.done[d] = true
			r.lock.Unlock()
		}()
	}
}

// Dispatch launches every dispatch under the read lock.
func (r *Room) Dispatch(dispatches []string) {
	r.lock.RLock()
	r.launch(dispatches)
	r.lock.RUnlock()
}

// Done counts the finished jobs.
func (r *Room) Done() int {
	r.lock.RLock()
	defer r.lock.RUnlock()
	return len(r.done)
}
