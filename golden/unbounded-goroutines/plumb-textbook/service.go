package worker

import "context"

// Service runs the worker for as long as its context lives.
type Service struct {
	ctx context.Context
}

func (s *Service) Start() {
	go startWorker()
}

// Run blocks until ctx is done.
func Run(ctx context.Context) {
	go startWorker()
	<-ctx.Done()
}
