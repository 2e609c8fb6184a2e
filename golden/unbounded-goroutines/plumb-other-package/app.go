package multi

import (
	"context"

	"example.com/multi/worker"
)

// App owns the context its background work should stop with.
type App struct {
	ctx context.Context
}

func (a *App) Boot() {
	go worker.Start()
}
