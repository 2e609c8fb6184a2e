// Package gocron reproduces scheduler.addOrUpdateJob of go-co-op/gocron f021cc4
// (scheduler.go:504-595): the job's context is made from the scheduler's shutdown context
// before the task, the options and the job definition are checked, and every check may
// return an error that drops the job.
package gocron

import (
	"context"
	"errors"
)

var (
	ErrNewJobTaskNil         = errors.New("gocron: NewJob: Task must not be nil")
	ErrWithStartDateTimePast = errors.New("gocron: WithStartDateTime: start must not be in the past")
	ErrCronJobParse          = errors.New("gocron: CronJob: crontab parse failure")
)

type internalJob struct {
	ctx    context.Context
	cancel context.CancelFunc
	name   string
}

// JobOption is gocron's option type: it may reject the job (scheduler.go:562-573).
type JobOption func(*internalJob) error

// JobDefinition's setup may reject the job too (a crontab that does not parse).
type JobDefinition func(*internalJob) error

type scheduler struct {
	shutdownCtx context.Context
	jobs        []internalJob
}
