// Package work is tested by tests whose receivers give up only when the test fails.
package work

// Do returns its input.
func Do(n int) int { return n }
