package sessions

import (
	"sync"
	"time"
)

// Sessions expire after a period of silence.
type Sessions struct {
	mu     sync.Mutex
	timers map[string]*time.Timer
	expire func(id string)
}

// New makes an empty set of sessions; expire is called for each one that times out.
func New(expire func(id string)) *Sessions {
	return &Sessions{timers: map[string]*time.Timer{}, expire: expire}
}

// Touch arms id's expiry, or pushes it back if it is armed already.
func (s *Sessions) Touch(id string, ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.timers[id]; ok {
		t.Reset(ttl)
		return
	}
	s.timers[id] = time.AfterFunc(ttl, func() { s.expire(id) })
}

// End forgets id, but its timer still fires and expires it later.
func (s *Sessions) End(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.timers, id) // want "delete from s.timers drops a time.AfterFunc timer without stopping it: its callback still runs"
}

// Reset stops every session's expiry and starts afresh with an empty set.
func (s *Sessions) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.timers {
		t.Stop()
	}
	s.timers = make(map[string]*time.Timer)
}
