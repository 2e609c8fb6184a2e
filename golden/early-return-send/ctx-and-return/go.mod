module example.com/ctx-and-return

go 1.22
