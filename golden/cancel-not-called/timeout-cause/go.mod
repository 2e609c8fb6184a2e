module example.com/timeout-cause

go 1.22
