module example.com/ctx-timer

go 1.22
