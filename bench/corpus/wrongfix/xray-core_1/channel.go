// Package command reproduces xray-core 2323273's routing stats channel (app/stats/channel.go)
// and the publish of routingServer.TestRoute (app/router/command/command.go:92-105).
package command

import (
	"context"
	"sync"
)

// Channel is app/stats/channel.go's Channel, cut to the blocking mode the routing service and
// its test use (ChannelConfig{SubscriberLimit: 1, BufferSize: 16, Blocking: true}).
type Channel struct {
	channel     chan channelMessage
	access      sync.RWMutex
	subscribers []chan interface{}
	bufferSize  int
	closed      chan struct{}
}

func NewChannel(bufferSize int) *Channel {
	return &Channel{channel: make(chan channelMessage, bufferSize), bufferSize: bufferSize}
}

func (c *Channel) Subscribers() []chan interface{} {
	c.access.RLock()
	defer c.access.RUnlock()
	return c.subscribers
}

func (c *Channel) Subscribe() chan interface{} {
	c.access.Lock()
	defer c.access.Unlock()
	sub := make(chan interface{}, c.bufferSize)
	c.subscribers = append(c.subscribers, sub)
	return sub
}

// Publish is channel.go:72-84 (blocking branch).
func (c *Channel) Publish(ctx context.Context, msg interface{}) {
	select {
	case <-c.closed:
	default:
		channelMessage{context: ctx, message: msg}.publish(c.channel)
	}
}

// Start is channel.go:99-124: one goroutine broadcasts every published message.
func (c *Channel) Start() {
	c.closed = make(chan struct{})
	go func() {
		for {
			select {
			case pub := <-c.channel:
				for _, sub := range c.Subscribers() {
					pub.broadcast(sub)
				}
			case <-c.closed:
				return
			}
		}
	}()
}

func (c *Channel) Close() { close(c.closed) }

// channelMessage is the published message with guaranteed delivery.
// message is discarded only when the context is early cancelled. (channel.go:138-140)
type channelMessage struct {
	context context.Context
	message interface{}
}

func (c channelMessage) publish(publisher chan channelMessage) {
	select {
	case publisher <- c:
	case <-c.context.Done():
	}
}

func (c channelMessage) broadcast(subscriber chan interface{}) {
	select {
	case subscriber <- c.message:
	case <-c.context.Done():
	}
}
