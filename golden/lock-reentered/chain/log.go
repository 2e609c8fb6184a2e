package server

// Errorf logs an error.
func (s *Server) Errorf(format string, v ...any) {
	s.executeLogCall(format, v...)
}

func (s *Server) executeLogCall(format string, v ...any) {
	s.logging.RLock()
	defer s.logging.RUnlock()
	if s.logging.logger == nil {
		return
	}
	s.logging.logger.Logf(format, v...)
}
