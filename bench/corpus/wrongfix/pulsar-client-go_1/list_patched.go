//go:build patched

package admin

import "context"

// ListWithContext as gofixleaks a06f251 patches it (early-return-send :1256, :1257): the two
// topic channels get a buffer of 2; errChan stays unbuffered.
func (t *topics) ListWithContext(ctx context.Context) ([]string, []string, error) {
	partitionedTopicsChan := make(chan []string, 2)
	nonPartitionedTopicsChan := make(chan []string, 2)
	errChan := make(chan error)
	t.start(ctx, partitionedTopicsChan, nonPartitionedTopicsChan, errChan)
	return collect(partitionedTopicsChan, nonPartitionedTopicsChan, errChan)
}
