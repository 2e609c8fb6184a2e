//go:build rightfix

package admin

import "context"

// ListWithContext with the whole repair: a buffer for every send of every channel.
func (t *topics) ListWithContext(ctx context.Context) ([]string, []string, error) {
	partitionedTopicsChan := make(chan []string, 2)
	nonPartitionedTopicsChan := make(chan []string, 2)
	errChan := make(chan error, 4)
	t.start(ctx, partitionedTopicsChan, nonPartitionedTopicsChan, errChan)
	return collect(partitionedTopicsChan, nonPartitionedTopicsChan, errChan)
}
