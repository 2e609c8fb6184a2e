package run

import (
	"context"
	"errors"
)

var errStopped = errors.New("stopped")

// Poll 反复调用 check,直到完成、出错或 cancel 被关闭。
func Poll(parent context.Context, cancel <-chan struct{}, check func(context.Context) (bool, error)) error {
	ctx, _ := context.WithCancelCause(parent) // want "the cancel func of context.WithCancelCause is discarded"
	for {
		select {
		case <-cancel:
			return errStopped // 调用方要求停止
		default:
		}
		if done, err := check(ctx); done || err != nil {
			return err
		}
	}
}
