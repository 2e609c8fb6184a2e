package server

import "sync"

// Shim runs processes and reports their exits.
type Shim struct {
	mu        sync.Mutex
	lifecycle sync.Mutex
	exited    map[int]int
	running   map[int]bool
}

// preStart returns the func that records a started process, handling an exit that came early.
func (s *Shim) preStart() (handleStarted func(pid int), cleanup func()) {
	handleStarted = func(pid int) {
		s.lifecycle.Lock()
		status, early := s.exited[pid]
		s.lifecycle.Unlock()
		if early {
			s.handleExit(pid, status)
		}
	}
	cleanup = func() {}
	return handleStarted, cleanup
}

// Create starts a process.
func (s *Shim) Create(pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	handleStarted, cleanup := s.preStart()
	defer cleanup()
	s.running[pid] = true
	handleStarted(pid) // want "Create holds s.mu \\(s.mu.Lock\\(\\) at line 29\\) and calls handleStarted \\(the func s.preStart returns at line 31\\), which calls handleExit \\(shim.go:20\\), which takes it again \\(Lock\\(\\) at shim.go:38\\)"
}

func (s *Shim) handleExit(pid, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, pid)
	_ = status
}
