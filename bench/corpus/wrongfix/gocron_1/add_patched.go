//go:build patched

package gocron

import "context"

// addJob as gofixleaks 195cbd5 rewrites it (cancel-not-called, scheduler.go:522, safe): j.cancel()
// before the returns ahead of the first option(&j) (here the nil task; in gocron four checks),
// none after it.
func (s *scheduler) addJob(definition JobDefinition, task func(), options ...JobOption) error {
	j := internalJob{}
	j.ctx, j.cancel = context.WithCancel(s.shutdownCtx)

	if task == nil {
		j.cancel()
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
