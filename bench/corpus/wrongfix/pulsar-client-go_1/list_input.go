//go:build !patched && !rightfix

package admin

import "context"

// ListWithContext at pulsar-client-go 8213b20, unpatched.
func (t *topics) ListWithContext(ctx context.Context) ([]string, []string, error) {
	partitionedTopicsChan := make(chan []string)
	nonPartitionedTopicsChan := make(chan []string)
	errChan := make(chan error)
	t.start(ctx, partitionedTopicsChan, nonPartitionedTopicsChan, errChan)
	return collect(partitionedTopicsChan, nonPartitionedTopicsChan, errChan)
}
