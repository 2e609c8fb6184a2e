package server

import "sync"

// Logger writes a server's log.
type Logger interface {
	Logf(format string, v ...any)
	Close() error
}

// Server logs through a logger it may swap.
type Server struct {
	logging struct {
		sync.RWMutex
		logger Logger
	}
	stats struct {
		sync.RWMutex
		n int
	}
}

// SetLogger swaps the logger, closing the old one.
func (s *Server) SetLogger(l Logger) {
	s.logging.Lock()
	if s.logging.logger != nil {
		if err := s.logging.logger.Close(); err != nil {
			s.Errorf("closing logger: %v", err) // want "SetLogger holds s.logging \\(s.logging.Lock\\(\\) at line 25\\) and calls s.Errorf, which calls executeLogCall \\(log.go:5\\), which takes it again \\(RLock\\(\\) at log.go:9\\): Go mutexes are not reentrant"
		}
	}
	s.logging.logger = l
	s.logging.Unlock()
}

// Count reads the counter, counting the read.
func (s *Server) Count() int {
	s.stats.RLock()
	defer s.stats.RUnlock()
	s.bump() // want "Count holds s.stats \\(s.stats.RLock\\(\\) at line 37\\) and calls s.bump, which takes it again \\(Lock\\(\\) at server.go:44\\)"
	return s.stats.n
}

func (s *Server) bump() {
	s.stats.Lock()
	defer s.stats.Unlock()
	s.stats.n++
}

// Close drops the logger and logs that it did, before the deferred unlock.
func (s *Server) Close() {
	s.logging.Lock()
	defer s.logging.Unlock()
	defer s.Errorf("logger closed") // want "Close holds s.logging \\(s.logging.Lock\\(\\) at line 51\\) and calls s.Errorf, which calls executeLogCall \\(log.go:5\\)"
	s.logging.logger = nil
}
