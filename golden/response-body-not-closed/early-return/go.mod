module example.com/early-return

go 1.22
