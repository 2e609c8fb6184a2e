package fetch

import (
	"testing"
	"time"
)

func TestGetAnswers(t *testing.T) {
	c := &Client{Limit: time.Second}
	v, err := c.Get(func() string { return "hi" })
	if err != nil || *v != "hi" {
		t.Fatalf("Get = %v, %v", v, err)
	}
}
