package lc

import (
	"testing"

	"example.com/lc/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
