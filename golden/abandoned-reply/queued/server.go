package server

type request struct {
	key   string
	reply chan int
}

// Server answers requests one at a time.
type Server struct {
	requests chan request
	values   map[string]int
	slow     func()
}

func New(values map[string]int, slow func()) *Server {
	s := &Server{requests: make(chan request), values: values, slow: slow}
	go s.serve()
	return s
}

func (s *Server) serve() {
	for req := range s.requests {
		s.slow()
		req.reply <- s.values[req.key]
	}
}
