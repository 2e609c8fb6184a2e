package main

import (
	"context"

	"example.com/bwlimit/limiter"
)

func main() {
	ctx := context.Background()
	limiter.Start(ctx)
}
