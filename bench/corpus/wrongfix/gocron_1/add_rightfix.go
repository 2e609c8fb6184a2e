//go:build rightfix

package gocron

import "context"

// addJob with the whole repair: the job's context is cancelled on every error return.
func (s *scheduler) addJob(definition JobDefinition, task func(), options ...JobOption) (err error) {
	j := internalJob{}
	j.ctx, j.cancel = context.WithCancel(s.shutdownCtx)
	defer func() {
		if err != nil {
			j.cancel()
		}
	}()

	if task == nil {
		return ErrNewJobTaskNil
	}
	for _, option := range options {
		if err := option(&j); err != nil {
			return err
		}
	}
	if err := definition(&j); err != nil {
		return err
	}
	s.jobs = append(s.jobs, j)
	return nil
}
