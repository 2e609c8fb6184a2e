// Package admin reproduces pulsaradmin/pkg/admin/topic.go (topics.ListWithContext): four
// getTopics goroutines each send their error (nil included) on errChan, then their topics.
package admin

import "context"

type getter func(ctx context.Context, endpoint string) ([]string, error)

type topics struct {
	get      getter
	finished func() // called as a getTopics goroutine returns (the test counts them)
}

// getTopics is topic.go:1292-1296.
func (t *topics) getTopics(ctx context.Context, endpoint string, out chan<- []string, err chan<- error) {
	defer t.finished()
	topics, e := t.get(ctx, endpoint)
	err <- e
	out <- topics
}

// collect is the loop of ListWithContext (topic.go:1270-1289).
func collect(partitioned, nonPartitioned <-chan []string, errChan <-chan error) ([]string, []string, error) {
	var partitionedTopics, nonPartitionedTopics []string
	requestCount := 4
	for {
		select {
		case err := <-errChan:
			if err != nil {
				return nil, nil, err
			}
			continue
		case pTopic := <-partitioned:
			requestCount--
			partitionedTopics = append(partitionedTopics, pTopic...)
		case npTopic := <-nonPartitioned:
			requestCount--
			nonPartitionedTopics = append(nonPartitionedTopics, npTopic...)
		}
		if requestCount == 0 {
			break
		}
	}
	return partitionedTopics, nonPartitionedTopics, nil
}

func (t *topics) start(ctx context.Context, partitioned, nonPartitioned chan []string, errChan chan error) {
	go t.getTopics(ctx, "persistent/partitioned", partitioned, errChan)
	go t.getTopics(ctx, "non-persistent/partitioned", partitioned, errChan)
	go t.getTopics(ctx, "persistent", nonPartitioned, errChan)
	go t.getTopics(ctx, "non-persistent", nonPartitioned, errChan)
}
