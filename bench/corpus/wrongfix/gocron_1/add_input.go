//go:build !patched && !rightfix

package gocron

import "context"

// addJob as it is: every error return drops j with j.cancel uncalled.
func (s *scheduler) addJob(definition JobDefinition, task func(), options ...JobOption) error {
	j := internalJob{}
	j.ctx, j.cancel = context.WithCancel(s.shutdownCtx)

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
